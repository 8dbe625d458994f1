"""Each vendor adapter against the local emulator of that vendor, over HTTP: signed as the vendor checks it,
answered in the vendor's shapes, and each failure classified as passing (retry) or not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gridline.clock import SystemClock
from gridline.devstack.emulators.running import Emulator, emulator
from gridline.notify.settings import MessageTemplate, NotifySettings
from gridline.notify.vendors import aliyun, dingtalk, tencent, wecom
from gridline.notify.vendors.base import Delivery, Outcome, Post, Text

PHONE = "13905710001"
TEMPLATE = MessageTemplate(text="验证码 {code}，{minutes} 分钟内有效", params=("code", "minutes"))
PARAMS = {"code": "123456", "minutes": "5"}


@pytest.fixture(scope="module")
def vendors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    extra = {"NOTIFY_TEMPLATES": json.dumps({"booking_code": {"text": TEMPLATE.text, "params": list(TEMPLATE.params)}})}
    with emulator(tmp_path_factory.mktemp("emulators"), extra=extra) as running:
        yield running


def settings_of(env: dict[str, str], **overrides: Any) -> NotifySettings:
    values: dict[str, Any] = {key.lower(): value for key, value in env.items() if key != "NOTIFY_TEMPLATES"}
    values["sms_template_codes"] = json.loads(values["sms_template_codes"])
    values["notify_templates"] = {"booking_code": TEMPLATE}
    return NotifySettings(**{**values, "sms_sender": "aliyun", **overrides})


async def attempt(settings: NotifySettings, vendor: str, key: str = "k-1") -> Outcome:
    async with httpx.AsyncClient(timeout=10) as http:
        delivery = Delivery(None, SystemClock(), None, settings, http, key)  # type: ignore[arg-type]
        if vendor in ("aliyun", "tencent"):
            text = Text(PHONE, TEMPLATE, settings.template_code(vendor, "booking_code"), PARAMS)
            return await (aliyun.send if vendor == "aliyun" else tencent.send)(delivery, text)
        robot = next(r for r in settings.robots().values() if r.vendor == vendor)
        post = Post(robot, TEMPLATE.render(PARAMS), [PHONE])
        return await (dingtalk.post if vendor == "dingtalk" else wecom.post)(delivery, post)


async def test_aliyun_takes_a_signed_send_sms_with_its_template_code_and_named_parameters(vendors: Emulator) -> None:
    vendors.forget("aliyun")
    outcome = await attempt(settings_of(dict(vendors.settings)), "aliyun", key="aliyun-1")

    [received] = vendors.received("aliyun")
    assert outcome.status == "sent"
    assert outcome.vendor_message_id == received["biz_id"]
    assert received["taken"] is True
    assert (received["phone"], received["sign_name"], received["out_id"]) == (PHONE, "社区服务", "aliyun-1")
    assert received["template_code"] == json.loads(vendors.settings["SMS_TEMPLATE_CODES"])["aliyun"]["booking_code"]
    assert received["params"] == PARAMS


async def test_tencent_takes_a_tc3_signed_send_sms_with_positional_parameters(vendors: Emulator) -> None:
    vendors.forget("tencent")
    outcome = await attempt(settings_of(dict(vendors.settings)), "tencent", key="tencent-1")

    [received] = vendors.received("tencent")
    assert outcome.status == "sent"
    assert str(outcome.vendor_message_id).startswith("2645:")
    assert (received["phones"], received["params"], received["session_context"]) == (
        [f"+86{PHONE}"],
        ["123456", "5"],
        "tencent-1",
    )
    assert received["taken"] is True


@pytest.mark.parametrize("vendor", ["dingtalk", "wecom"])
async def test_a_group_robot_has_the_message_with_its_mentions(vendors: Emulator, vendor: str) -> None:
    vendors.forget(vendor)
    outcome = await attempt(settings_of(dict(vendors.settings)), vendor)

    [received] = vendors.received(vendor)
    assert outcome.status == "delivered"
    assert received["content"] == "验证码 123456，5 分钟内有效"
    assert received.get("at_mobiles", received.get("mentioned_mobiles")) == [PHONE]


@pytest.mark.parametrize(
    ("vendor", "setting", "code"),
    [
        ("aliyun", "aliyun_sms_access_key_secret", "aliyun SignatureDoesNotMatch"),
        ("tencent", "tencent_sms_secret_key", "tencent AuthFailure.SignatureFailure"),
    ],
)
async def test_a_wrong_secret_is_refused_by_the_signature_check_for_good(
    vendors: Emulator, vendor: str, setting: str, code: str
) -> None:
    outcome = await attempt(settings_of(dict(vendors.settings), **{setting: "not-the-secret"}), vendor)
    assert (outcome.status, outcome.error) == ("failed", code)


async def test_a_dingtalk_robot_refuses_a_wrong_signing_secret(vendors: Emulator) -> None:
    env = dict(vendors.settings)
    robots = json.loads(env["NOTIFY_ROBOTS"])
    robots["330106001"]["secret"] = "SECwrong"
    outcome = await attempt(settings_of({**env, "NOTIFY_ROBOTS": json.dumps(robots)}), "dingtalk")
    assert (outcome.status, outcome.error) == ("failed", "dingtalk 310000")


@pytest.mark.parametrize("vendor", ["aliyun", "tencent", "dingtalk", "wecom"])
async def test_flow_control_and_a_5xx_pass_and_are_retried(vendors: Emulator, vendor: str) -> None:
    settings = settings_of(dict(vendors.settings))
    vendors.behave(vendor, fail=1)
    limited = await attempt(settings, vendor)
    vendors.behave(vendor, fail=1, http_status=503)
    unavailable = await attempt(settings, vendor)
    vendors.behave(vendor)
    fine = await attempt(settings, vendor)

    assert (limited.status, unavailable.status, unavailable.status_code) == ("retry", "retry", 503)
    assert fine.status in ("sent", "delivered")


async def test_a_bad_number_is_refused_for_good(vendors: Emulator) -> None:
    vendors.behave("aliyun", fail=1, code="isv.MOBILE_NUMBER_ILLEGAL")
    outcome = await attempt(settings_of(dict(vendors.settings)), "aliyun")
    assert (outcome.status, outcome.error) == ("failed", "aliyun isv.MOBILE_NUMBER_ILLEGAL")


def test_the_emulators_keep_their_credentials_in_the_folder(tmp_path: Path) -> None:
    from gridline.devstack.emulators.config import local_environment

    first = local_environment(tmp_path, "http://127.0.0.1:1")
    again = local_environment(tmp_path, "http://127.0.0.1:1")
    assert first == again
    assert first["ALIYUN_SMS_ACCESS_KEY_SECRET"] not in json.dumps(first["NOTIFY_ROBOTS"])


@pytest.mark.parametrize("vendor", ["aliyun", "tencent"])
async def test_the_handset_receipt_is_read_back_from_the_vendor(vendors: Emulator, vendor: str) -> None:
    settings = settings_of(dict(vendors.settings))
    receipts = {"aliyun": aliyun.receipt, "tencent": tencent.receipt}
    found = []
    for receipt in ("delivered", "failed", "pending"):
        vendors.behave(vendor, receipt=receipt)
        sent = await attempt(settings, vendor)
        async with httpx.AsyncClient(timeout=10) as http:
            delivery = Delivery(None, SystemClock(), None, settings, http, "k")  # type: ignore[arg-type]
            found.append((await receipts[vendor](delivery, PHONE, str(sent.vendor_message_id))).status)
    vendors.behave(vendor)
    assert found == ["delivered", "failed", "retry"]
