"""The emulators' ASGI app: each vendor's route checks a request as the vendor does and answers in its shapes."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gridline.devstack.emulators.config import Accepted
from gridline.notify.vendors import aliyun, dingtalk, tencent

VENDORS = ("aliyun", "tencent", "dingtalk", "wecom")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# What each vendor answers when told to fail without a code: its flow control, which passes.
DEFAULT_FAILURE = {
    "aliyun": "isv.BUSINESS_LIMIT_CONTROL",
    "tencent": "RequestLimitExceeded",
    "dingtalk": "130101",
    "wecom": "45009",
}


@dataclass
class Behaviour:
    fail: int = 0
    code: str | None = None
    http_status: int | None = None
    stall_seconds: float = 0.0
    receipt: str = "delivered"  # what the handset's receipt will say of texts taken now: delivered, failed, pending

    def failing(self) -> bool:
        """Whether this request fails as told (counting it against `fail`)."""
        if self.fail == 0:
            return False
        if self.fail > 0:
            self.fail -= 1
        return True


@dataclass
class VendorState:
    received: list[dict[str, Any]] = field(default_factory=list)
    behaviour: Behaviour = field(default_factory=Behaviour)


class Emulators:
    def __init__(self, accepted: Accepted) -> None:
        self.accepted = accepted
        self.vendors = {name: VendorState() for name in VENDORS}

    async def answer(self, vendor: str, record: dict[str, Any], refusal: Response | None, ok: Response) -> Response:
        """Record the request, then wait if told to stall, then refuse, fail as told, or take it."""
        state = self.vendors[vendor]
        record = {"at": datetime.now(UTC).isoformat(), "vendor": vendor, **record}
        state.received.append(record)
        behaviour = state.behaviour
        if behaviour.stall_seconds:
            await asyncio.sleep(behaviour.stall_seconds)
        if refusal is None and behaviour.failing():
            if behaviour.http_status:
                refusal = Response(status_code=behaviour.http_status, content=b"emulated failure")
            else:
                refusal = FAILURES[vendor](behaviour.code or DEFAULT_FAILURE[vendor])
        answer = refusal or ok
        record["receipt"] = behaviour.receipt if refusal is None else None
        is_json = answer.media_type == "application/json"
        record["answer"] = json.loads(bytes(answer.body)) if is_json else answer.status_code
        record["taken"] = refusal is None
        return answer


def _aliyun_error(code: str, message: str = "", status: int = 200) -> JSONResponse:
    return JSONResponse({"Code": code, "Message": message or code, "RequestId": str(uuid.uuid4())}, status)


def _tencent_error(code: str, message: str = "") -> JSONResponse:
    return JSONResponse(
        {"Response": {"Error": {"Code": code, "Message": message or code}, "RequestId": str(uuid.uuid4())}}
    )


def _robot_error(code: str, message: str = "") -> JSONResponse:
    return JSONResponse({"errcode": int(code), "errmsg": message or f"error {code}"})


FAILURES = {"aliyun": _aliyun_error, "tencent": _tencent_error, "dingtalk": _robot_error, "wecom": _robot_error}


async def aliyun_send(request: Request) -> Response:
    emulators: Emulators = request.app.state.emulators
    accepted = emulators.accepted
    body = await request.body()
    query = dict(parse_qsl(request.url.query, keep_blank_values=True))
    if request.headers.get("x-acs-action") == aliyun.QUERY:
        return _aliyun_receipt(request, query, body, emulators)
    record = {
        "phone": query.get("PhoneNumbers"),
        "sign_name": query.get("SignName"),
        "template_code": query.get("TemplateCode"),
        "params": _json(query.get("TemplateParam")),
        "out_id": query.get("OutId"),
    }
    refusal = _aliyun_refusal(request, query, body, accepted)
    if refusal is None:
        kind = accepted.kind("aliyun", query.get("TemplateCode", ""))
        names = accepted.params.get(kind or "", ())
        if query.get("SignName") not in accepted.aliyun_sign_names:
            refusal = _aliyun_error("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        elif kind is None:
            refusal = _aliyun_error("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        elif not isinstance(record["params"], dict) or any(n not in record["params"] for n in names):
            refusal = _aliyun_error("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        elif not MOBILE.match(query.get("PhoneNumbers", "")):
            refusal = _aliyun_error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    biz_id = f"{int(time.time() * 1000)}{len(emulators.vendors['aliyun'].received):06d}^0"
    record["biz_id"] = biz_id
    ok = JSONResponse({"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": str(uuid.uuid4())})
    return await emulators.answer("aliyun", record, refusal, ok)


def _aliyun_refusal(request: Request, query: dict[str, str], body: bytes, accepted: Accepted) -> Response | None:
    """The V3 signature, checked from the request as received."""
    match = re.fullmatch(
        r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)",
        request.headers.get("authorization", ""),
    )
    if match is None:
        return _aliyun_error("MissingAuthorization", status=400)
    key_id, names, given = match.groups()
    action = request.headers.get("x-acs-action")
    if action not in (aliyun.ACTION, aliyun.QUERY) or request.headers.get("x-acs-version") != aliyun.VERSION:
        return _aliyun_error("InvalidAction.NotFound", status=404)
    secret = accepted.aliyun_keys.get(key_id)
    if secret is None:
        return _aliyun_error("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
    if request.headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
        return _aliyun_error("ContentSHA256NotMatched", status=400)
    try:
        sent_at = datetime.strptime(request.headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return _aliyun_error("InvalidTimeStamp.Format", status=400)
    if abs((datetime.now(UTC) - sent_at).total_seconds()) > 900:
        return _aliyun_error("InvalidTimeStamp.Expired", status=400)
    headers = {name: request.headers.get(name, "") for name in names.split(";")}
    if not {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"} <= set(headers):
        return _aliyun_error("IncompleteSignature", status=400)
    _, expected = aliyun.sign(
        method="POST", path=request.url.path, query=query, headers=headers, body=body, secret=secret
    )
    if not hmac.compare_digest(expected, given):
        return _aliyun_error("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", 400)
    return None


async def tencent_send(request: Request) -> Response:
    emulators: Emulators = request.app.state.emulators
    accepted = emulators.accepted
    body = await request.body()
    payload = _json(body.decode(errors="replace"))
    payload = payload if isinstance(payload, dict) else {}
    if request.headers.get("x-tc-action") == tencent.QUERY:
        return _tencent_receipt(request, payload, body, emulators)
    phones = payload.get("PhoneNumberSet") or []
    record = {
        "phone": phones[0].removeprefix("+86") if phones and isinstance(phones[0], str) else None,
        "phones": phones,
        "sign_name": payload.get("SignName"),
        "sdk_app_id": payload.get("SmsSdkAppId"),
        "template_id": payload.get("TemplateId"),
        "params": payload.get("TemplateParamSet"),
        "session_context": payload.get("SessionContext"),
    }
    refusal = _tencent_refusal(request, body, accepted)
    kind = accepted.kind("tencent", str(payload.get("TemplateId", "")))
    if refusal is None:
        if payload.get("SmsSdkAppId") not in accepted.tencent_apps:
            refusal = _tencent_error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist.")
        elif payload.get("SignName") not in accepted.tencent_sign_names:
            refusal = _tencent_error("FailedOperation.SignatureIncorrectOrUnapproved", "signature unapproved")
        elif kind is None:
            refusal = _tencent_error("FailedOperation.TemplateIncorrectOrUnapproved", "template unapproved")
        elif len(record["params"] or []) != len(accepted.params.get(kind, record["params"] or [])):
            refusal = _tencent_error("InvalidParameterValue.TemplateParameterFormatError", "parameters do not fit")
    statuses = [_tencent_status(phone, payload, len(emulators.vendors["tencent"].received)) for phone in phones]
    ok = JSONResponse({"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}})
    return await emulators.answer("tencent", record, refusal, ok)


def _tencent_status(phone: str, payload: dict[str, Any], number: int) -> dict[str, Any]:
    good = isinstance(phone, str) and MOBILE.match(phone.removeprefix("+86")) is not None
    return {
        "SerialNo": f"2645:{int(time.time())}{number:08d}" if good else "",
        "PhoneNumber": phone,
        "Fee": 1 if good else 0,
        "SessionContext": payload.get("SessionContext", ""),
        "Code": "Ok" if good else "InvalidParameterValue.IncorrectPhoneNumber",
        "Message": "send success" if good else "incorrect number",
        "IsoCode": "CN" if good else "",
    }


def _tencent_refusal(request: Request, body: bytes, accepted: Accepted) -> Response | None:
    match = re.fullmatch(
        r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
        r"SignedHeaders=content-type;host, Signature=([0-9a-f]+)",
        request.headers.get("authorization", ""),
    )
    if match is None:
        return _tencent_error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
    secret_id, _, given = match.groups()
    action = request.headers.get("x-tc-action")
    if action not in (tencent.ACTION, tencent.QUERY) or request.headers.get("x-tc-version") != tencent.VERSION:
        return _tencent_error("InvalidAction", "The action does not exist.")
    secret_key = accepted.tencent_keys.get(secret_id)
    if secret_key is None:
        return _tencent_error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
    try:
        timestamp = int(request.headers.get("x-tc-timestamp", ""))
    except ValueError:
        return _tencent_error("AuthFailure.InvalidAuthorization", "bad timestamp")
    if abs(time.time() - timestamp) > 300:
        return _tencent_error("AuthFailure.SignatureExpire", "Signature expired.")
    if request.headers.get("content-type") != tencent.CONTENT_TYPE:
        return _tencent_error("AuthFailure.SignatureFailure", "content-type is not the one signed")
    host = request.headers.get("host", "")
    _, expected = tencent.signature(
        secret_key=secret_key, host=host, path=request.url.path, body=body, timestamp=timestamp
    )
    if not hmac.compare_digest(expected, given):
        return _tencent_error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
    return None


def _aliyun_receipt(request: Request, query: dict[str, str], body: bytes, emulators: Emulators) -> Response:
    """`QuerySendDetails`: the receipt of the text with this BizId (not recorded as a text received)."""
    refusal = _aliyun_refusal(request, query, body, emulators.accepted)
    if refusal is not None:
        return refusal
    received = emulators.vendors["aliyun"].received
    sent = [r for r in received if r.get("biz_id") == query.get("BizId") and r.get("taken")]
    status = {"delivered": 3, "failed": 2}.get(str(sent[-1].get("receipt")), 1) if sent else None
    details = [
        {
            "PhoneNum": query.get("PhoneNumber"),
            "SendStatus": status,
            "ErrCode": {3: "DELIVERED", 2: "MK:0001"}.get(status or 1, ""),
            "TemplateCode": sent[-1]["template_code"],
            "OutId": sent[-1]["out_id"],
            "SendDate": sent[-1]["at"],
        }
        for _ in ([1] if status is not None else [])
    ]
    return JSONResponse(
        {
            "Code": "OK",
            "Message": "OK",
            "TotalCount": len(details),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
            "RequestId": str(uuid.uuid4()),
        }
    )


def _tencent_receipt(request: Request, payload: dict[str, Any], body: bytes, emulators: Emulators) -> Response:
    """`PullSmsSendStatusByPhoneNumber`: the receipts of the texts taken for this number."""
    refusal = _tencent_refusal(request, body, emulators.accepted)
    if refusal is not None:
        return refusal
    phone = str(payload.get("PhoneNumber", ""))
    reports = []
    for record in emulators.vendors["tencent"].received:
        if not record.get("taken") or phone not in record["phones"] or record.get("receipt") == "pending":
            continue
        delivered = record["receipt"] == "delivered"
        serial = record["answer"]["Response"]["SendStatusSet"][0]["SerialNo"]
        reports.append(
            {
                "UserReceiveTime": int(time.time()),
                "CountryCode": "86",
                "SubscriberNumber": phone.removeprefix("+86"),
                "PhoneNumber": phone,
                "SerialNo": serial,
                "ReportStatus": "SUCCESS" if delivered else "FAIL",
                "Description": "用户短信送达成功" if delivered else "用户关机或不在服务区",
                "SessionContext": record["session_context"] or "",
            }
        )
    return JSONResponse({"Response": {"PullSmsSendStatusSet": reports, "RequestId": str(uuid.uuid4())}})


async def dingtalk_send(request: Request) -> Response:
    emulators: Emulators = request.app.state.emulators
    payload = _json((await request.body()).decode(errors="replace"))
    payload = payload if isinstance(payload, dict) else {}
    token = request.query_params.get("access_token", "")
    record = {
        "access_token": token[:6] + "…",
        "msgtype": payload.get("msgtype"),
        "content": (payload.get("text") or {}).get("content"),
        "at_mobiles": (payload.get("at") or {}).get("atMobiles", []),
    }
    refusal: Response | None = None
    secret = emulators.accepted.dingtalk_secrets.get(token)
    timestamp, sign = request.query_params.get("timestamp", ""), request.query_params.get("sign", "")
    if secret is None:
        refusal = _robot_error("300001", "token is not exist")
    elif not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600_000:
        refusal = _robot_error("310000", "invalid timestamp")
    elif not hmac.compare_digest(dingtalk.sign(secret, int(timestamp)), sign):
        refusal = _robot_error("310000", "sign not match")
    elif payload.get("msgtype") != "text" or not record["content"]:
        refusal = _robot_error("40035", "缺少参数 json")
    return await emulators.answer("dingtalk", record, refusal, JSONResponse({"errcode": 0, "errmsg": "ok"}))


async def wecom_send(request: Request) -> Response:
    emulators: Emulators = request.app.state.emulators
    payload = _json((await request.body()).decode(errors="replace"))
    payload = payload if isinstance(payload, dict) else {}
    text = payload.get("text") or {}
    key = request.query_params.get("key", "")
    record = {
        "key": key[:6] + "…",
        "msgtype": payload.get("msgtype"),
        "content": text.get("content"),
        "mentioned_mobiles": text.get("mentioned_mobile_list", []),
    }
    refusal: Response | None = None
    if key not in emulators.accepted.wecom_keys:
        refusal = _robot_error("93000", "invalid webhook url")
    elif payload.get("msgtype") != "text" or not text.get("content"):
        refusal = _robot_error("44004", "text content is empty")
    return await emulators.answer("wecom", record, refusal, JSONResponse({"errcode": 0, "errmsg": "ok"}))


async def received(request: Request) -> Response:
    emulators: Emulators = request.app.state.emulators
    vendor = request.path_params["vendor"]
    if vendor not in emulators.vendors:
        return JSONResponse({"detail": f"no such vendor; one of {', '.join(VENDORS)}"}, 404)
    state = emulators.vendors[vendor]
    if request.method == "DELETE":
        state.received.clear()
        return Response(status_code=204)
    phone = request.query_params.get("phone")
    items = [r for r in state.received if phone is None or r.get("phone") == phone]
    return JSONResponse({"items": items})


async def behaviour(request: Request) -> Response:
    emulators: Emulators = request.app.state.emulators
    vendor = request.path_params["vendor"]
    if vendor not in emulators.vendors:
        return JSONResponse({"detail": f"no such vendor; one of {', '.join(VENDORS)}"}, 404)
    try:
        wanted = await request.json()
        told = Behaviour(
            fail=int(wanted.get("fail", 0)),
            code=str(wanted["code"]) if wanted.get("code") is not None else None,
            http_status=int(wanted["http_status"]) if wanted.get("http_status") else None,
            stall_seconds=float(wanted.get("stall_seconds", 0)),
            receipt=str(wanted.get("receipt", "delivered")),
        )
        if told.receipt not in ("delivered", "failed", "pending"):
            raise ValueError(told.receipt)
    except (ValueError, TypeError, AttributeError, KeyError):
        detail = "fail (int), code (str), http_status (int), stall_seconds (number), receipt (delivered|failed|pending)"
        return JSONResponse({"detail": detail}, 422)
    emulators.vendors[vendor].behaviour = told
    return JSONResponse(told.__dict__)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def create_app(accepted: Accepted | None = None) -> Starlette:
    app = Starlette(
        routes=[
            Route("/aliyun/", aliyun_send, methods=["POST"]),
            Route("/tencent/", tencent_send, methods=["POST"]),
            Route("/dingtalk/robot/send", dingtalk_send, methods=["POST"]),
            Route("/wecom/cgi-bin/webhook/send", wecom_send, methods=["POST"]),
            Route("/_emulator/{vendor}/received", received, methods=["GET", "DELETE"]),
            Route("/_emulator/{vendor}/behaviour", behaviour, methods=["PUT"]),
            Route("/healthz", healthz),
        ]
    )
    app.state.emulators = Emulators(accepted or Accepted.from_environment())
    return app


__all__ = ["create_app"]
