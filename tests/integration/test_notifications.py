"""Messages to people through the vendors' emulators, over HTTP: a booking code reaches the SMS vendor and
books; a vendor that keeps failing is retried, then surfaces on the desk as 通知未送达; a sender killed
mid-send never texts twice; a phone's day is capped; a village behind one address is not refused."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from gridline import notify
from gridline.devstack import servers
from gridline.devstack.emulators.running import Emulator
from gridline.testing import Sandbox, eventually

from tests.conftest import Platform
from tests.services.duty.support import COMMUNITY, OTHER_COMMUNITY, TOWNSHIP

pytestmark = pytest.mark.integration

PHONE = "13905710001"


def through(vendors: Emulator, **more: Any) -> dict[str, Any]:
    """Duty's settings for sending through the emulators: Aliyun, and Tencent for the other community."""
    values: dict[str, Any] = {key.lower(): value for key, value in vendors.settings.items()}
    values["sms_template_codes"] = json.loads(values["sms_template_codes"])
    return {**values, "sms_sender": "aliyun", "sms_community_senders": {OTHER_COMMUNITY: "tencent"}, **more}


async def received(vendors: Emulator, vendor: str, phone: str, *, count: int = 1) -> list[dict[str, Any]]:
    async def arrived() -> list[dict[str, Any]]:
        items = await asyncio.to_thread(vendors.received, vendor, phone=phone)
        assert len(items) >= count, items
        return items

    return await eventually(arrived, timeout=30, interval=0.1)


async def message_of(platform: Platform, phone: str) -> dict[str, Any]:
    protector = platform.runtime("duty").protector
    phone_hash = protector.keyed_hash(phone, context="notify.phone")
    found = await platform.sandbox.database("duty")[notify.COLLECTION].find_one({"phone_hash": phone_hash})
    assert found is not None
    return found


def officer(platform: Platform) -> dict[str, str]:
    return platform.sandbox.secrets.headers("duty_officer", jurisdiction=COMMUNITY)


@pytest.mark.parametrize(("community", "vendor"), [(COMMUNITY, "aliyun"), (OTHER_COMMUNITY, "tencent")])
async def test_a_booking_code_reaches_the_community_s_sms_vendor_and_books(
    platform: Platform, vendor_emulators: Emulator, community: str, vendor: str
) -> None:
    await platform.start("duty", **through(vendor_emulators))
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    slots = await duty.post(
        "/v1/slots",
        json={
            "community_code": community,
            "service": "开具居住证明",
            "day": "2031-01-13",
            "first_start": "09:00",
            "last_end": "09:30",
            "minutes": 30,
            "capacity": 5,
        },
        headers=secrets.headers("community_admin", jurisdiction=community),
    )
    assert slots.status_code == 201, slots.text

    asked = await duty.post("/v1/public/booking-codes", json={"phone": PHONE, "community_code": community})
    [text] = await received(vendor_emulators, vendor, PHONE)
    code = text["params"]["code"] if vendor == "aliyun" else text["params"][0]
    booked = await duty.post(f"/v1/public/slots/{slots.json()[0]['id']}/bookings", json={"phone": PHONE, "code": code})

    assert asked.status_code == 202, asked.text
    assert booked.status_code == 201, booked.text
    assert text["taken"] is True  # signature, credentials, signature name and template all checked
    assert text["sign_name"] == "社区服务"
    stored = await eventually(lambda: _sent(platform, PHONE))
    assert stored["vendor"] == vendor
    assert stored["vendor_message_id"] == (
        text.get("biz_id") or text["answer"]["Response"]["SendStatusSet"][0]["SerialNo"]
    )
    assert PHONE not in json.dumps(stored, default=str)
    assert code not in json.dumps(stored, default=str)


async def _sent(platform: Platform, phone: str) -> dict[str, Any]:
    stored = await message_of(platform, phone)
    assert stored["state"] == "sent"
    return stored


async def test_a_vendor_that_keeps_failing_is_retried_then_the_desk_is_alerted_once(
    platform: Platform, vendor_emulators: Emulator
) -> None:
    await platform.start("duty", **through(vendor_emulators, notify_retry_seconds=0.2, notify_max_attempts=3))
    duty = platform.client("duty")
    vendor_emulators.behave("aliyun", fail=-1)  # its flow control, on every request

    asked = await duty.post("/v1/public/booking-codes", json={"phone": PHONE, "community_code": COMMUNITY})
    failed = await eventually(lambda: _failed(platform, PHONE), timeout=30)
    vendor_emulators.behave("aliyun", fail=1, code="isv.MOBILE_NUMBER_ILLEGAL")
    other = "13905710002"
    await duty.post("/v1/public/booking-codes", json={"phone": other, "community_code": COMMUNITY})
    refused = await eventually(lambda: _failed(platform, other), timeout=30)
    incidents = await eventually(lambda: _incidents(platform), timeout=30)

    assert asked.status_code == 202
    assert len(await received(vendor_emulators, "aliyun", PHONE, count=3)) == 3
    assert [a["outcome"] for a in failed["log"]] == ["retry"] * 3  # each passing, but the attempts ran out
    assert failed["error"] == "aliyun isv.BUSINESS_LIMIT_CONTROL"
    assert (refused["attempts"], refused["error"]) == (1, "aliyun isv.MOBILE_NUMBER_ILLEGAL")
    assert len(await received(vendor_emulators, "aliyun", other)) == 1  # refused for good: not tried again
    [incident] = incidents  # two failures, one incident for the community's day
    assert incident["summary"].startswith("通知未送达：预约验证码短信至 139****0001")
    assert (incident["severity"], incident["status"]) == ("high", "open")
    undelivered = await notify.undelivered(platform.sandbox.database("duty"), jurisdiction=COMMUNITY)
    assert sorted(m.recipient for m in undelivered) == ["139****0001", "139****0002"]


async def _failed(platform: Platform, phone: str) -> dict[str, Any]:
    stored = await message_of(platform, phone)
    assert stored["state"] == "failed"
    assert stored.get("alerted") is True
    return stored


async def _incidents(platform: Platform) -> list[dict[str, Any]]:
    answer = await platform.client("duty").get(
        "/v1/incidents", params={"community_code": COMMUNITY}, headers=officer(platform)
    )
    items: list[dict[str, Any]] = [i for i in answer.json()["items"] if i["summary"].startswith("通知未送达")]
    assert items
    return items


async def test_a_phone_gets_no_more_texts_a_day_than_its_cap(platform: Platform, vendor_emulators: Emulator) -> None:
    await platform.start(
        "duty",
        **through(vendor_emulators, sms_daily_cap_per_phone=2, booking_code_resend_seconds=0),
        booking_limit_per_phone="100/minute",
    )
    duty = platform.client("duty")

    asked = [await duty.post("/v1/public/booking-codes", json={"phone": PHONE}) for _ in range(3)]
    another = await duty.post("/v1/public/booking-codes", json={"phone": "13905710002"})

    assert [a.status_code for a in asked] == [202, 202, 429]
    assert int(asked[2].headers["Retry-After"]) > 0
    assert asked[2].json()["detail"] == "该手机号今日短信已达上限，请明天再试"
    assert another.status_code == 202
    await received(vendor_emulators, "aliyun", "13905710002")
    assert len(await received(vendor_emulators, "aliyun", PHONE, count=2)) == 2
    caps = [c async for c in platform.sandbox.database("duty")["notify_daily_caps"].find({})]
    assert PHONE not in json.dumps(caps, default=str)  # counted under the phone's keyed hash


async def test_texts_to_staff_on_duty_are_not_held_by_the_daily_cap(platform: Platform) -> None:
    staff_page = notify.MessageTemplate(text="【值班提醒】{summary}", params=("summary",), capped=False)
    templates = {"booking_code": notify.MessageTemplate(text="{code}", params=("code",)), "staff_page": staff_page}
    await platform.start("duty", notify_templates=templates, sms_daily_cap_per_phone=1)
    runtime = platform.runtime("duty")
    settings = runtime.settings
    assert isinstance(settings, notify.NotifySettings)

    async def text(key: str, kind: str) -> str:
        try:
            await notify.queue(
                runtime.database(),
                clock=runtime.clock,
                protector=runtime.protector,
                settings=settings,
                key=key,
                kind=kind,
                recipient=notify.Phone(PHONE),
                params={"code": "123456", "summary": "发热预警"},
                community_code=COMMUNITY,
            )
        except notify.DailyCapReached:
            return "capped"
        return "queued"

    codes = [await text(f"code-{n}", "booking_code") for n in range(2)]
    pages = [await text(f"page-{n}", "staff_page") for n in range(3)]

    assert codes == ["queued", "capped"]
    assert pages == ["queued"] * 3


async def test_a_village_behind_one_address_is_not_refused_while_one_phone_flooding_is(platform: Platform) -> None:
    await platform.start("duty")  # the default limits; texts to the development sink
    duty = platform.client("duty")
    village = [f"1390571{n:04d}" for n in range(150)]  # one minute's requests, all from one address

    answers = [await duty.post("/v1/public/booking-codes", json={"phone": phone}) for phone in village]
    flood = [await duty.post("/v1/public/booking-codes", json={"phone": "13705710000"}) for _ in range(6)]
    after = await duty.post("/v1/public/booking-codes", json={"phone": "13705719999"})

    assert [a.status_code for a in answers] == [202] * 150
    assert [f.status_code for f in flood] == [202] + [429] * 5  # one code a minute, three requests a minute
    assert after.status_code == 202  # the flooding phone spent nothing of its neighbours' allowance


async def test_a_group_robot_message_reaches_dingtalk_signed_and_wecom(
    platform: Platform, vendor_emulators: Emulator
) -> None:
    templates = {"duty_page": notify.MessageTemplate(text="【值班】{summary}", params=("summary",), sms=False)}
    await platform.start("duty", **through(vendor_emulators, notify_templates=templates))
    runtime = platform.runtime("duty")
    assert runtime.jobs is not None
    db, settings = runtime.database(), runtime.settings
    assert isinstance(settings, notify.NotifySettings)

    for key, group in (
        ("page-1", notify.Group(TOWNSHIP, mention_phones=(PHONE,))),
        ("page-2", notify.Group(COMMUNITY)),
    ):
        queued = await notify.queue(
            db,
            clock=runtime.clock,
            protector=runtime.protector,
            settings=settings,
            key=key,
            kind="duty_page",
            recipient=group,
            params={"summary": "发热预警待确认"},
            community_code=COMMUNITY,
            wake=runtime.jobs.wake,
        )
        assert queued.created
    again = await notify.queue(
        db,
        clock=runtime.clock,
        protector=runtime.protector,
        settings=settings,
        key="page-1",
        kind="duty_page",
        recipient=notify.Group(TOWNSHIP),
        params={"summary": "发热预警待确认"},
        community_code=COMMUNITY,
    )

    async def both_delivered() -> None:
        for key in ("page-1", "page-2"):
            message = await notify.get(db, key)
            assert message is not None
            assert message.state == notify.State.DELIVERED

    await eventually(both_delivered, timeout=30)
    [ding] = vendor_emulators.received("dingtalk")
    [wecom] = vendor_emulators.received("wecom")
    assert again.created is False
    assert (ding["content"], ding["at_mobiles"], ding["taken"]) == ("【值班】发热预警待确认", [PHONE], True)
    assert (wecom["content"], wecom["taken"]) == ("【值班】发热预警待确认", True)


@contextmanager
def duty_process(sandbox: Sandbox, env: dict[str, str], logs: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """duty as its own process (`python -m duty`), as an operator runs it."""
    port = servers.free_ports(1)[0]
    with (logs / "duty.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "duty"],
            env={**os.environ, **env, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=servers.REPO,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (logs / "duty.log").read_text()[-2000:]
            try:
                if httpx.get(f"{url}/readyz", timeout=3).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "duty not ready"
            time.sleep(0.2)
        yield process, url
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


async def test_a_sender_killed_mid_send_never_texts_twice_and_the_desk_is_told(
    sandbox: Sandbox, vendor_emulators: Emulator, tmp_path: Path
) -> None:
    settings = {**sandbox.settings("duty"), **through(vendor_emulators)}
    env = {k.upper(): json.dumps(v) if isinstance(v, dict) else str(v) for k, v in settings.items()}
    vendor_emulators.behave("aliyun", stall_seconds=20)  # the vendor has the request, its answer is slow
    with duty_process(sandbox, env, tmp_path) as (first, url):
        async with httpx.AsyncClient(base_url=url) as client:
            asked = await client.post("/v1/public/booking-codes", json={"phone": PHONE, "community_code": COMMUNITY})
        await received(vendor_emulators, "aliyun", PHONE)
        os.kill(first.pid, signal.SIGKILL)  # mid-send: the request is out, its answer not yet in
        first.wait(timeout=10)
    vendor_emulators.behave("aliyun")
    db = sandbox.database("duty")
    with duty_process(sandbox, env, tmp_path):

        async def settled() -> dict[str, Any]:
            found = await db[notify.COLLECTION].find_one({"kind": "booking_code"})
            assert found is not None
            assert found["state"] == "failed"
            assert found.get("alerted") is True
            return found

        # The killed runner's lease on the job lapses (60 s) before another takes it over.
        message = await eventually(settled, timeout=120, interval=0.5)
        incidents = await db["incidents"].count_documents({"summary": {"$regex": "^通知未送达"}})

    assert asked.status_code == 202
    assert len(vendor_emulators.received("aliyun", phone=PHONE)) == 1  # sent once, never again
    assert message["error"] == "发送中断，结果未知（未重发，以免重复）"
    assert incidents == 1


@pytest.mark.parametrize(("community", "vendor"), [(COMMUNITY, "aliyun"), (OTHER_COMMUNITY, "tencent")])
async def test_the_vendor_s_receipt_marks_a_text_delivered_or_fails_it_on_the_desk(
    platform: Platform, vendor_emulators: Emulator, community: str, vendor: str
) -> None:
    await platform.start("duty", **through(vendor_emulators, notify_receipt_seconds=0.2))
    duty = platform.client("duty")
    reached, unreachable = "13905710001", "13905710002"

    await duty.post("/v1/public/booking-codes", json={"phone": reached, "community_code": community})
    delivered = await eventually(lambda: _in_state(platform, reached, "delivered"), timeout=30)
    vendor_emulators.behave(vendor, receipt="failed")  # the handset is off: the vendor took it, no receipt
    await duty.post("/v1/public/booking-codes", json={"phone": unreachable, "community_code": community})
    failed = await eventually(lambda: _failed(platform, unreachable), timeout=30)
    answer = await duty.get(
        "/v1/incidents",
        params={"community_code": community},
        headers=platform.sandbox.secrets.headers("duty_officer", jurisdiction=community),
    )

    assert [entry.get("outcome") for entry in delivered["log"]] == ["sent", "delivered"]
    assert failed["error"].startswith(f"{vendor} receipt")
    assert len(vendor_emulators.received(vendor, phone=unreachable)) == 1  # taken once: not sent again
    [incident] = [i for i in answer.json()["items"] if i["summary"].startswith("通知未送达")]
    assert "139****0002" in incident["summary"]


async def _in_state(platform: Platform, phone: str, state: str) -> dict[str, Any]:
    stored = await message_of(platform, phone)
    assert stored["state"] == state
    return stored
