"""Aliyun SMS (dysmsapi 2017-05-25), `SendSms`, signed with the V3 signature (ACS3-HMAC-SHA256).

The RPC parameters travel in the query of a POST with an empty body. Signing: the canonical request is
method, path, the sorted percent-encoded query, the lower-cased `host`/`content-type`/`x-acs-*` headers, their
names and the body's SHA-256; the string to sign is `ACS3-HMAC-SHA256\\n` + SHA-256 of the canonical request,
and the signature its HMAC-SHA256 under the AccessKey secret, sent in `Authorization`. Answer: JSON with `Code`
(`OK`), `Message`, `BizId` and `RequestId`, also on a refusal (`isv.MOBILE_NUMBER_ILLEGAL` ...).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from gridline.clock import LOCAL_TZ
from gridline.notify.vendors.base import Delivery, Outcome, Status, Text, http_failure, unexpected

ACTION, VERSION, ALGORITHM = "SendSms", "2017-05-25", "ACS3-HMAC-SHA256"
QUERY = "QuerySendDetails"  # the delivery receipt of one text, by phone, send date and BizId
# Flow control and the vendor's own trouble pass; everything else is about the request and comes back.
TRANSIENT = ("isv.BUSINESS_LIMIT_CONTROL", "Throttling", "ServiceUnavailable", "InternalError", "isp.")


def encode(value: str) -> str:
    """RFC 3986 percent-encoding: unreserved characters kept, a space as %20."""
    return quote(value, safe="-_.~")


def canonical_query(query: Mapping[str, str]) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(query.items()))


def sign(
    *, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes, secret: str
) -> tuple[str, str]:
    """The signed header names and the signature of a request whose headers already hold `x-acs-*`: every
    `x-acs-*` header, `host` and, when the request has one, `content-type` are signed."""
    signed = {
        k.lower(): v.strip()
        for k, v in headers.items()
        if k.lower() in ("host", "content-type") or k.lower().startswith("x-acs-")
    }
    names = sorted(signed)
    canonical = "\n".join(
        [
            method,
            path or "/",
            canonical_query(query),
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return ";".join(names), hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def signed_request(
    *,
    endpoint: str,
    key_id: str,
    secret: str,
    query: Mapping[str, str],
    now: datetime,
    nonce: str,
    action: str = ACTION,
) -> tuple[httpx.URL, dict[str, str]]:
    url = httpx.URL(endpoint)
    headers = {
        "host": url.netloc.decode(),
        "x-acs-action": action,
        "x-acs-version": VERSION,
        "x-acs-date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
    }
    names, signature = sign(method="POST", path=url.path, query=query, headers=headers, body=b"", secret=secret)
    headers["Authorization"] = f"{ALGORITHM} Credential={key_id},SignedHeaders={names},Signature={signature}"
    return url.copy_with(query=canonical_query(query).encode()), headers


async def send(delivery: Delivery, text: Text) -> Outcome:
    settings = delivery.settings
    assert settings.aliyun_sms_access_key_secret is not None  # checked by the settings
    query = {
        "PhoneNumbers": text.phone,
        "SignName": settings.aliyun_sms_sign_name,
        "TemplateCode": text.code,
        "TemplateParam": json.dumps({n: text.params[n] for n in text.template.params}, ensure_ascii=False),
        "OutId": delivery.key[:64],
    }
    url, headers = signed_request(
        endpoint=settings.aliyun_sms_endpoint,
        key_id=settings.aliyun_sms_access_key_id,
        secret=settings.aliyun_sms_access_key_secret.get_secret_value(),
        query=query,
        now=datetime.now(UTC),  # the vendor checks the wall clock, whatever the service's clock says
        nonce=uuid.uuid4().hex,
    )
    try:
        response = await delivery.http.post(url, headers=headers, content=b"")
    except httpx.HTTPError as exc:
        return http_failure(exc)
    try:
        answer = response.json()
        code = str(answer["Code"])
    except (ValueError, KeyError, TypeError):
        return unexpected(response)
    if code == "OK":
        return Outcome("sent", vendor_message_id=str(answer.get("BizId") or ""), status_code=response.status_code)
    status: Status = "retry" if code.startswith(TRANSIENT) or response.status_code >= 500 else "failed"
    return Outcome(status, error=f"aliyun {code}", status_code=response.status_code)


async def receipt(delivery: Delivery, phone: str, biz_id: str) -> Outcome:
    """The handset's receipt, by `QuerySendDetails`: `SendStatus` 3 delivered, 2 failed (its `ErrCode`),
    1 still waiting (`retry`: asked again later)."""
    settings = delivery.settings
    assert settings.aliyun_sms_access_key_secret is not None
    query = {
        "PhoneNumber": phone,
        "BizId": biz_id,
        "SendDate": datetime.now(LOCAL_TZ).strftime("%Y%m%d"),
        "PageSize": "10",
        "CurrentPage": "1",
    }
    url, headers = signed_request(
        endpoint=settings.aliyun_sms_endpoint,
        key_id=settings.aliyun_sms_access_key_id,
        secret=settings.aliyun_sms_access_key_secret.get_secret_value(),
        query=query,
        now=datetime.now(UTC),
        nonce=uuid.uuid4().hex,
        action=QUERY,
    )
    try:
        response = await delivery.http.post(url, headers=headers, content=b"")
        answer = response.json()
        details = answer["SmsSendDetailDTOs"]["SmsSendDetailDTO"] if answer["Code"] == "OK" else []
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return Outcome("retry", error="aliyun receipt unavailable")
    status = next((int(d["SendStatus"]) for d in details if isinstance(d, dict) and "SendStatus" in d), 1)
    if status == 3:
        return Outcome("delivered")
    if status == 2:
        code = next((str(d.get("ErrCode")) for d in details if isinstance(d, dict)), "")
        return Outcome("failed", error=f"aliyun receipt {code}")
    return Outcome("retry")
