"""Each vendor adapter's signing against a reference that does not come from this code base.

The local emulators check signatures by calling the adapters' own signing functions, so a misreading of a
vendor's spec shared by both would pass there. Here the expected values come from outside:

- Tencent Cloud: the worked example of the "Signature v3" (TC3-HMAC-SHA256) page of the API docs, the same
  page under every product (e.g. https://tencentcloud.com/document/api/1150/49447): SecretId
  `AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE`, SecretKey `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE`, timestamp 1551113065,
  CVM `DescribeInstances`, and the canonical request's payload hash and the signature `72e494ea...` it arrives at.
- Aliyun: the worked example of "V3 request structure and signature"
  (https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature): AccessKey
  `YourAccessKeyId`/`YourAccessKeySecret`, x-acs-date 2023-10-26T10:22:32Z, nonce
  `3156853299f313e23d1673dc12e1703d`, ECS `RunInstances`, and the signature `06563a9e...`. Two more
  vectors, for a `SendSms` shaped as the adapter sends it and for a request carrying `content-type`, were
  computed once with Aliyun's own signer (`alibabacloud-openapi-util` 0.2.4, `Client.get_authorization`);
  that package is not a dependency, only its answers are written down here.
- DingTalk: the custom robot's security settings doc (加签; mirrored at
  https://apifox.com/apidoc/docs-site/467052/doc-3550006) gives the algorithm but no worked output:
  sign = urlEncode(base64(HmacSHA256(secret, f"{timestamp}\\n{secret}"))).
  The expected values were computed with OpenSSL (`printf '%s\\n%s' TS SECRET | openssl dgst -sha256 -hmac
  SECRET -binary | base64`) and URL-encoded as Java's `URLEncoder` in that doc does.

The adapters name their own service and API version (Tencent `sms`, Aliyun `2017-05-25`) where the vendors'
examples use another product's; those module constants are the seam swapped here to feed the examples in
exactly, and the signing code itself runs as it is.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
from gridline.clock import SystemClock
from gridline.notify.settings import Robot
from gridline.notify.vendors import aliyun, dingtalk, tencent
from gridline.notify.vendors.base import Delivery, Post

# Tencent Cloud "Signature v3", the worked example.
TC_SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
TC_SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
TC_TIMESTAMP = 1551113065  # 2019-02-26 00:44:25 at UTC+8: the scope's date must still be the UTC one, 02-25
TC_PAYLOAD = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
TC_HASHED_PAYLOAD = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
TC_SIGNATURE = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"

# Aliyun "V3 request structure and signature", the worked example (RPC style, empty body).
ALI_KEY_ID, ALI_SECRET = "YourAccessKeyId", "YourAccessKeySecret"
ALI_QUERY = {"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"}
ALI_SIGNED_HEADERS = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
ALI_SIGNATURE = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# A SendSms as the adapter sends it: Chinese sign name, JSON template parameters, and an OutId with the
# characters RFC 3986 encoding gets wrong most often. Expected values from Aliyun's own signer (see above).
SMS_KEY_ID, SMS_SECRET = "LTAI5tExampleKeyId", "ExampleSecret0123456789"
SMS_QUERY = {
    "PhoneNumbers": "13905710001",
    "SignName": "社区服务",
    "TemplateCode": "SMS_123456789",
    "TemplateParam": '{"code": "123456", "minutes": "5"}',
    "OutId": "k-1 *~/+",
}
SMS_NOW, SMS_NONCE = datetime(2026, 12, 7, 1, 30, tzinfo=UTC), "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SMS_SIGNATURE = "2b9e78aad4074ef4f50d36b26a897d481a39acdbf4e171142336fda16555c05b"
SMS_SIGNATURE_WITH_CONTENT_TYPE = "a05843bd03b95be7ef1f9e56379ff3cec63e75a90776cc7679f3aa88a72e859b"

# DingTalk: a robot secret as the robot's settings page shows one, two timestamps (ms) whose signatures hold a
# `+` and a `/`, which the URL must carry as %2B and %2F, and the `=` of the base64 padding as %3D.
DT_SECRET = "SEC4c8a9b1f2e3d4c5b6a79881726354453627180a9b8c7d6e5f4a3b2c1d0e9f8a7"
DT_SIGNS = {
    1765071000001: ("fMSgZZvbQ9u9OJ+Eg9OoVxDEgGc2umwMra151lV28xc=", "fMSgZZvbQ9u9OJ%2BEg9OoVxDEgGc2umwMra151lV28xc%3D"),
    1765071000003: ("wO1cjS15K03aDPdJIRRFNCPa0PyKWzlc9/NASrb7w5M=", "wO1cjS15K03aDPdJIRRFNCPa0PyKWzlc9%2FNASrb7w5M%3D"),
}


def test_tencent_signature_is_the_documented_one_for_the_documented_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tencent, "SERVICE", "cvm")
    assert hashlib.sha256(TC_PAYLOAD).hexdigest() == TC_HASHED_PAYLOAD  # the doc's payload, byte for byte

    scope, signature = tencent.signature(
        secret_key=TC_SECRET_KEY, host="cvm.tencentcloudapi.com", path="/", body=TC_PAYLOAD, timestamp=TC_TIMESTAMP
    )

    assert scope == "2019-02-25/cvm/tc3_request"
    assert signature == TC_SIGNATURE


def test_tencent_headers_are_the_documented_request_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tencent, "SERVICE", "cvm")
    monkeypatch.setattr(tencent, "VERSION", "2017-03-12")

    headers = tencent.signed_headers(
        endpoint="https://cvm.tencentcloudapi.com",
        secret_id=TC_SECRET_ID,
        secret_key=TC_SECRET_KEY,
        region="ap-guangzhou",
        body=TC_PAYLOAD,
        timestamp=TC_TIMESTAMP,
        action="DescribeInstances",
    )

    assert headers == {
        "Authorization": f"TC3-HMAC-SHA256 Credential={TC_SECRET_ID}/2019-02-25/cvm/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={TC_SIGNATURE}",
        "Content-Type": "application/json; charset=utf-8",
        "Host": "cvm.tencentcloudapi.com",
        "X-TC-Action": "DescribeInstances",
        "X-TC-Version": "2017-03-12",
        "X-TC-Timestamp": "1551113065",
        "X-TC-Region": "ap-guangzhou",
    }


def test_aliyun_signature_is_the_documented_one_for_the_documented_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aliyun, "VERSION", "2014-05-26")

    url, headers = aliyun.signed_request(
        endpoint="https://ecs.cn-shanghai.aliyuncs.com",
        key_id=ALI_KEY_ID,
        secret=ALI_SECRET,
        query=ALI_QUERY,
        now=datetime(2023, 10, 26, 10, 22, 32, tzinfo=UTC),
        nonce="3156853299f313e23d1673dc12e1703d",
        action="RunInstances",
    )

    assert headers == {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-content-sha256": EMPTY_SHA256,
        "Authorization": f"ACS3-HMAC-SHA256 Credential={ALI_KEY_ID},SignedHeaders={ALI_SIGNED_HEADERS},"
        f"Signature={ALI_SIGNATURE}",
    }
    # The documented CanonicalQueryString is also what goes on the wire.
    assert url.query == b"ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"


def test_aliyun_send_sms_is_signed_as_aliyuns_own_signer_signs_it() -> None:
    url, headers = aliyun.signed_request(
        endpoint="https://dysmsapi.aliyuncs.com",
        key_id=SMS_KEY_ID,
        secret=SMS_SECRET,
        query=SMS_QUERY,
        now=SMS_NOW,
        nonce=SMS_NONCE,
    )

    assert headers["Authorization"] == (
        f"ACS3-HMAC-SHA256 Credential={SMS_KEY_ID},SignedHeaders={ALI_SIGNED_HEADERS},Signature={SMS_SIGNATURE}"
    )
    assert url.query == (
        b"OutId=k-1%20%2A~%2F%2B&PhoneNumbers=13905710001&SignName=%E7%A4%BE%E5%8C%BA%E6%9C%8D%E5%8A%A1"
        b"&TemplateCode=SMS_123456789&TemplateParam=%7B%22code%22%3A%20%22123456%22%2C%20%22minutes%22%3A%20%225%22%7D"
    )


def test_aliyun_signs_a_content_type_when_the_request_has_one() -> None:
    """The doc's CanonicalHeaders take `x-acs-*`, `host` and `content-type`; the emulator passes what the
    request says it signed, so a `content-type` left out would be a signature only the emulator accepts."""
    headers = {
        "host": "dysmsapi.aliyuncs.com",
        "x-acs-action": "SendSms",
        "x-acs-version": "2017-05-25",
        "x-acs-date": "2026-12-07T01:30:00Z",
        "x-acs-signature-nonce": SMS_NONCE,
        "x-acs-content-sha256": EMPTY_SHA256,
        "Content-Type": "application/x-www-form-urlencoded",
    }

    names, signature = aliyun.sign(
        method="POST", path="/", query=SMS_QUERY, headers=headers, body=b"", secret=SMS_SECRET
    )

    assert names == f"content-type;{ALI_SIGNED_HEADERS}"
    assert signature == SMS_SIGNATURE_WITH_CONTENT_TYPE


@pytest.mark.parametrize("timestamp", sorted(DT_SIGNS))
def test_dingtalk_sign_is_the_documented_hmac(timestamp: int) -> None:
    assert dingtalk.sign(DT_SECRET, timestamp) == DT_SIGNS[timestamp][0]


@pytest.mark.parametrize("timestamp", sorted(DT_SIGNS))
async def test_dingtalk_webhook_carries_the_timestamp_and_the_url_encoded_sign(
    timestamp: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through `post`, the smallest seam that holds the URL encoding: it reads the wall clock, so the
    adapter's `time` is swapped for one at the vector's instant (half a millisecond in, for an exact int)."""
    monkeypatch.setattr(dingtalk, "time", SimpleNamespace(time=lambda: (timestamp + 0.5) / 1000))
    sent: list[httpx.Request] = []

    def robot(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    webhook = Robot(vendor="dingtalk", url="https://oapi.dingtalk.com/robot/send?access_token=abc", secret=DT_SECRET)
    async with httpx.AsyncClient(transport=httpx.MockTransport(robot)) as http:
        delivery = Delivery(None, SystemClock(), None, None, http, "k-1")  # type: ignore[arg-type]
        outcome = await dingtalk.post(delivery, Post(webhook, "测试", []))

    assert outcome.status == "delivered"
    [request] = sent
    assert request.url.query.decode() == f"access_token=abc&timestamp={timestamp}&sign={DT_SIGNS[timestamp][1]}"
