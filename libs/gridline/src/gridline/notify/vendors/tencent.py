"""Tencent Cloud SMS (API 2021-01-11), `SendSms`, signed with TC3-HMAC-SHA256.

A JSON POST; the canonical request is method, path, empty query, the `content-type` and `host` headers,
their names and the payload's SHA-256; the string to sign names the algorithm, the timestamp, the credential
scope `<UTC date>/sms/tc3_request` and the canonical request's SHA-256; the key is derived by HMAC chains
from `TC3` + SecretKey over the date, the service and `tc3_request`. Answer: `{"Response": {"SendStatusSet":
[{"SerialNo", "PhoneNumber", "Code": "Ok", ...}], "RequestId"}}`, or `{"Response": {"Error": {"Code", ...}}}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import httpx

from gridline.notify.vendors.base import Delivery, Outcome, Text, http_failure, unexpected

ACTION, VERSION, SERVICE, ALGORITHM = "SendSms", "2021-01-11", "sms", "TC3-HMAC-SHA256"
QUERY = "PullSmsSendStatusByPhoneNumber"  # the delivery receipts of a number over a period
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = "content-type;host"
TRANSIENT = ("InternalError", "RequestLimitExceeded", "LimitExceeded", "FailedOperation.FailResolvePacket")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature(*, secret_key: str, host: str, path: str, body: bytes, timestamp: int) -> tuple[str, str]:
    """The credential scope and the signature of one JSON POST."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\n"
    canonical = "\n".join(["POST", path or "/", "", headers, SIGNED_HEADERS, hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{SERVICE}/tc3_request"
    to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    return scope, hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def signed_headers(
    *,
    endpoint: str,
    secret_id: str,
    secret_key: str,
    region: str,
    body: bytes,
    timestamp: int,
    action: str = ACTION,
) -> dict[str, str]:
    url = httpx.URL(endpoint)
    host = url.netloc.decode()
    scope, sig = signature(secret_key=secret_key, host=host, path=url.path, body=body, timestamp=timestamp)
    return {
        "Authorization": f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, Signature={sig}",
        "Content-Type": CONTENT_TYPE,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": VERSION,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Region": region,
    }


async def send(delivery: Delivery, text: Text) -> Outcome:
    settings = delivery.settings
    body = json.dumps(
        {
            "PhoneNumberSet": [f"+86{text.phone}"],
            "SmsSdkAppId": settings.tencent_sms_sdk_app_id,
            "SignName": settings.tencent_sms_sign_name,
            "TemplateId": text.code,
            "TemplateParamSet": [text.params[n] for n in text.template.params],
            "SessionContext": delivery.key[:512],
        },
        ensure_ascii=False,
    ).encode()
    try:
        # The vendor checks the wall clock, whatever the service's clock says.
        response = await _signed_post(delivery, body, action=ACTION, timestamp=int(time.time()))
    except httpx.HTTPError as exc:
        return http_failure(exc)
    try:
        answer = response.json()["Response"]
        error = answer.get("Error")
        status = (answer.get("SendStatusSet") or [{}])[0] if error is None else {}
        code = str(error["Code"]) if error is not None else str(status["Code"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return unexpected(response)
    if code == "Ok":
        return Outcome("sent", vendor_message_id=str(status.get("SerialNo") or ""), status_code=response.status_code)
    retry = code.startswith(TRANSIENT) or response.status_code >= 500
    return Outcome("retry" if retry else "failed", error=f"tencent {code}", status_code=response.status_code)


async def receipt(delivery: Delivery, phone: str, serial_no: str) -> Outcome:
    """The handset's receipt, by `PullSmsSendStatusByPhoneNumber` over the last day, matched by `SerialNo`:
    `ReportStatus` SUCCESS delivered, FAIL failed (its `Description`), none yet `retry`."""
    settings = delivery.settings
    now = int(time.time())
    body = json.dumps(
        {
            "BeginTime": now - 86400,
            "EndTime": now,
            "Offset": 0,
            "Limit": 100,
            "PhoneNumber": f"+86{phone}",
            "SmsSdkAppId": settings.tencent_sms_sdk_app_id,
        }
    ).encode()
    try:
        response = await _signed_post(delivery, body, action=QUERY, timestamp=now)
        reports = response.json()["Response"]["PullSmsSendStatusSet"]
        report = next((r for r in reports if r.get("SerialNo") == serial_no), None)
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
        return Outcome("retry", error="tencent receipt unavailable")
    if report is None:
        return Outcome("retry")
    if report.get("ReportStatus") == "SUCCESS":
        return Outcome("delivered")
    return Outcome("failed", error=f"tencent receipt {report.get('Description') or report.get('ReportStatus')}")


async def _signed_post(delivery: Delivery, body: bytes, *, action: str, timestamp: int) -> httpx.Response:
    """`body` POSTed to the configured endpoint as `action`, signed with the configured key."""
    settings = delivery.settings
    assert settings.tencent_sms_secret_key is not None  # checked by the settings
    headers = signed_headers(
        endpoint=settings.tencent_sms_endpoint,
        secret_id=settings.tencent_sms_secret_id,
        secret_key=settings.tencent_sms_secret_key.get_secret_value(),
        region=settings.tencent_sms_region,
        body=body,
        timestamp=timestamp,
        action=action,
    )
    return await delivery.http.post(settings.tencent_sms_endpoint, headers=headers, content=body)
