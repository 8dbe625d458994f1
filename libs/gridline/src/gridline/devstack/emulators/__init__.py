"""Local emulators of the messaging vendors: Aliyun SMS, Tencent Cloud SMS, DingTalk and WeCom group robots.

One small ASGI app answers each vendor's documented API under its own path prefix (`/aliyun/`, `/tencent/`,
`/dingtalk/robot/send`, `/wecom/cgi-bin/webhook/send`), checks the request as the vendor would (signature,
timestamp window, known credentials, signature name, template code and its parameters), records what it
received, and answers in the vendor's shapes, errors included. Control routes, for people and tests:

    GET    /_emulator/<vendor>/received     what it received, oldest first (`?phone=` to filter)
    DELETE /_emulator/<vendor>/received     forget it
    PUT    /_emulator/<vendor>/behaviour    {"fail": n (-1: every request), "code": vendor error code,
                                             "http_status": answer a bare status instead, "stall_seconds": s,
                                             "receipt": what later receipts say: delivered, failed, pending}

Aliyun's `QuerySendDetails` and Tencent's `PullSmsSendStatusByPhoneNumber` answer the handset receipts of the
texts taken; they are not recorded as texts received.

It reads the same settings the services do (`ALIYUN_SMS_*`, `TENCENT_SMS_*`, `NOTIFY_ROBOTS`,
`NOTIFY_TEMPLATES`), so a service and the emulator configured alike agree. `./deploy/dev up` runs it as the
`emulators` program; `python -m gridline.devstack.emulators` runs it on `PORT`.
"""
