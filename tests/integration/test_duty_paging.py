"""Paging: an incident's step reaches the person holding it by SMS and the duty group's robot, through the
vendors' emulators over HTTP; nobody acknowledging pages the leader next; a page's link acknowledges once;
a storm of incidents of one kind in one community is one page per channel."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from duty.main import create_app as create_duty
from duty.settings import DutySettings
from gridline.clock import FixedClock
from gridline.devstack.emulators.config import local_codes
from gridline.devstack.emulators.running import Emulator, emulator
from gridline.testing import Running, eventually
from web.main import create_app as create_web
from web.settings import WebSettings
from web.upstream import Api

from tests.conftest import Platform
from tests.contracts import upstream as agreed
from tests.services.duty.support import (
    COMMUNITY,
    MORNING,
    admin,
    clock_at,
    create_rotation,
    local,
    officer,
    publish,
)

pytestmark = pytest.mark.integration

# The local vendors' codes, with the grouped page's, which the local stack does not approve (yet).
CODES = {
    vendor: {**codes, "incident_group_page": code}
    for (vendor, codes), code in zip(local_codes().items(), ("SMS_1999999", "2999999"), strict=True)
}
PARAMS = {
    "incident_page": ["who", "place", "kind", "summary", "link"],
    "incident_escalated": ["who", "place", "kind", "summary", "minutes", "link"],
    "incident_group_page": ["who", "place", "minutes", "kind", "count", "link"],
}
HOLD = 60


@pytest.fixture(scope="module")
def vendors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    templates = {kind: {"text": kind, "params": params} for kind, params in PARAMS.items()}
    extra = {"SMS_TEMPLATE_CODES": json.dumps(CODES), "NOTIFY_TEMPLATES": json.dumps(templates)}
    with emulator(tmp_path_factory.mktemp("emulators"), extra=extra) as running:
        yield running


def through(vendors: Emulator) -> dict[str, Any]:
    """Duty's settings for sending through the emulators: Aliyun texts, the groups' robots."""
    values: dict[str, Any] = {k.lower(): v for k, v in vendors.settings.items() if k != "NOTIFY_TEMPLATES"}
    values["sms_template_codes"] = json.loads(values["sms_template_codes"])
    return {
        **values,
        "sms_sender": "aliyun",
        "paging_group_seconds": HOLD,
        "ack_page_url": "https://gridline.example.gov.cn/a",
    }


def alert(alert_id: str, *, severity: str = "high", kind: str = "fever") -> agreed.AlertRaised:
    return agreed.AlertRaised(
        alert_id=alert_id,
        kind=kind,
        severity=severity,
        community_code=COMMUNITY,
        grid_id=None,
        person_id=f"person-{alert_id}",
        plan_id="plan-1",
        checkin_id="checkin-1",
        venue_id=None,
        reason="体温37.8℃",
        raised_at=MORNING,
    )


async def set_policy(platform: Platform, subject: str, phone: str, **extra: Any) -> None:
    body = {"phone": phone, "channels": ["sms", "robot"], **extra}
    headers = officer(platform.sandbox.secrets, subject)
    response = await platform.client("duty").put("/v1/notification-policies/mine", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["phone_masked"] == phone[:3] + "****" + phone[-4:]


async def requested(platform: Platform, level: int, count: int = 1) -> None:
    """Wait until paging has asked for the pages of `count` incidents at `level` (their window is open)."""
    pages = platform.sandbox.database("duty")["page_requests"]

    async def asked() -> None:
        assert await pages.count_documents({"level": level}) == count

    await eventually(asked)


async def texts_to(vendors: Emulator, phone: str, count: int = 1) -> list[dict[str, Any]]:
    async def arrived() -> list[dict[str, Any]]:
        found = vendors.received("aliyun", phone=phone)
        assert len(found) == count, found
        return found

    return await eventually(arrived)


async def posts(vendors: Emulator, vendor: str, containing: str, count: int = 1) -> list[dict[str, Any]]:
    async def arrived() -> list[dict[str, Any]]:
        found = [r for r in vendors.received(vendor) if containing in (r.get("content") or "")]
        assert len(found) == count, vendors.received(vendor)
        return found

    return await eventually(arrived)


def token_of(text: dict[str, Any]) -> str:
    return urlsplit(str(text["params"]["link"])).path.rsplit("/", 1)[1]


async def started(platform: Platform, vendors: Emulator, **overrides: Any) -> tuple[FixedClock, httpx.AsyncClient]:
    clock = clock_at()
    await platform.start("duty", clock=clock, **through(vendors), **overrides)
    duty = platform.client("duty")
    await create_rotation(duty, platform.sandbox.secrets)  # officer-a and leader-a by day
    return clock, duty


async def test_a_fever_pages_the_officer_on_duty_then_the_leader_and_the_leaders_link_acknowledges_once(
    platform: Platform, vendors: Emulator
) -> None:
    clock, duty = await started(platform, vendors)
    secrets = platform.sandbox.secrets
    await set_policy(platform, "officer-a", "13905710001")
    await set_policy(platform, "leader-a", "13905710002")
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-1"), key="alert-1")
    await requested(platform, level=0)

    clock.advance(timedelta(seconds=HOLD))
    [to_officer] = await texts_to(vendors, "13905710001")
    [in_group] = await posts(vendors, "wecom", "值班员officer-a")
    clock.advance(timedelta(minutes=9))  # ten minutes after it opened, nobody has acknowledged
    await requested(platform, level=1)
    clock.advance(timedelta(seconds=HOLD))
    [to_leader] = await texts_to(vendors, "13905710002")
    await posts(vendors, "wecom", "领导leader-a")
    [incident] = (await duty.get("/v1/incidents", headers=admin(secrets))).json()["items"]

    token = token_of(to_leader)
    ack = {"X-Link-Token": token}
    confirm_page = await duty.get("/v1/ack-links/current", headers=ack)
    still_open = (await duty.get(f"/v1/incidents/{incident['id']}", headers=admin(secrets))).json()
    first = await duty.post("/v1/ack-links/current/acknowledge", headers=ack)
    second = await duty.post("/v1/ack-links/current/acknowledge", headers=ack)
    tampered = await duty.post("/v1/ack-links/current/acknowledge", headers={"X-Link-Token": token[:-1] + "x"})
    clock.advance(timedelta(hours=2))
    await asyncio.sleep(2)
    later = (await duty.get(f"/v1/incidents/{incident['id']}", headers=admin(secrets))).json()

    assert to_officer["template_code"] == CODES["aliyun"]["incident_page"]
    assert to_officer["params"]["who"] == "值班员officer-a"
    assert to_officer["params"]["link"].startswith("https://gridline.example.gov.cn/a/")
    assert len(token_of(to_officer)) == 20  # short enough for a text
    assert in_group["mentioned_mobiles"] == ["13905710001"]
    assert to_leader["template_code"] == CODES["aliyun"]["incident_escalated"]
    assert (to_leader["params"]["who"], to_leader["params"]["minutes"]) == ("领导leader-a", "10")
    assert token_of(to_leader) != token_of(to_officer)
    assert confirm_page.status_code == 200, confirm_page.text
    assert (confirm_page.json()["kind_name"], confirm_page.json()["link_used"]) == ("发热", False)
    assert still_open["status"] == "open"  # reading the link (a chat app's preview) acknowledged nothing
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["acknowledged_by"]) == ("acknowledged", "leader-a")
    assert (second.status_code, second.json()["type"], second.json()["title"]) == (
        410,
        "/problems/link-used",
        "链接已使用",
    )
    assert (tampered.status_code, tampered.json()["type"]) == (401, "/problems/link-invalid")
    assert (later["status"], later["level"]) == ("acknowledged", 1)  # no township desk: escalation stopped
    assert vendors.received("dingtalk") == []
    # One text each: neither the redelivered steps nor the reruns of the sender paged twice.
    assert len(vendors.received("aliyun", phone="13905710001")) == 1
    assert len(vendors.received("aliyun", phone="13905710002")) == 1
    assert "13905710001" not in json.dumps(
        [r.event().data for r in await platform.sandbox.read_topic("duty.incident.v1", at_least=3)]
    )


async def test_the_officer_acknowledging_from_their_text_stops_the_escalation(
    platform: Platform, vendors: Emulator
) -> None:
    clock, duty = await started(platform, vendors)
    secrets = platform.sandbox.secrets
    await set_policy(platform, "officer-a", "13905710011")
    await set_policy(platform, "leader-a", "13905710012")
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-2"), key="alert-2")
    await requested(platform, level=0)
    clock.advance(timedelta(seconds=HOLD))
    [to_officer] = await texts_to(vendors, "13905710011")

    acknowledged = await duty.post("/v1/ack-links/current/acknowledge", headers={"X-Link-Token": token_of(to_officer)})
    clock.advance(timedelta(minutes=30))
    await asyncio.sleep(2)
    [incident] = (await duty.get("/v1/incidents", headers=admin(secrets))).json()["items"]

    assert acknowledged.status_code == 200, acknowledged.text
    assert (incident["status"], incident["level"], incident["acknowledged_by"]) == ("acknowledged", 0, "officer-a")
    assert vendors.received("aliyun", phone="13905710012") == []  # the leader was never paged


async def test_an_expired_link_says_so_and_the_incident_goes_on_to_the_leader(
    platform: Platform, vendors: Emulator
) -> None:
    clock, duty = await started(platform, vendors, ack_link_minutes=5)
    await set_policy(platform, "officer-a", "13905710021")
    await set_policy(platform, "leader-a", "13905710022")
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-3"), key="alert-3")
    await requested(platform, level=0)
    clock.advance(timedelta(seconds=HOLD))
    [to_officer] = await texts_to(vendors, "13905710021")

    clock.advance(timedelta(minutes=5))
    link = {"X-Link-Token": token_of(to_officer)}
    expired_page = await duty.get("/v1/ack-links/current", headers=link)
    expired = await duty.post("/v1/ack-links/current/acknowledge", headers=link)
    clock.advance(timedelta(minutes=4))
    await requested(platform, level=1)
    clock.advance(timedelta(seconds=HOLD))
    [to_leader] = await texts_to(vendors, "13905710022")

    assert (expired_page.status_code, expired.status_code) == (410, 410)
    assert (expired.json()["type"], expired.json()["title"]) == ("/problems/link-expired", "链接已过期")
    assert to_leader["template_code"] == CODES["aliyun"]["incident_escalated"]


async def test_thirty_fevers_in_one_community_within_a_minute_are_one_page_per_channel_and_thirty_on_the_desk(
    platform: Platform, vendors: Emulator
) -> None:
    clock, duty = await started(platform, vendors)
    secrets = platform.sandbox.secrets
    await set_policy(platform, "officer-a", "13905710031")
    await set_policy(platform, "leader-a", "13905710032")
    vendors.forget("wecom")

    for n in range(30):
        await publish(platform.sandbox, agreed.ALERT_RAISED, alert(f"storm-{n}"), key=f"storm-{n}")
        if n % 10 == 9:
            clock.advance(timedelta(seconds=15))  # the storm lasts under a minute
    await requested(platform, level=0, count=30)
    clock.advance(timedelta(seconds=HOLD))
    [to_officer] = await texts_to(vendors, "13905710031")
    [in_group] = await posts(vendors, "wecom", "30")
    desk = await duty.get("/v1/incidents", params={"limit": 100}, headers=admin(secrets))
    clock.advance(timedelta(minutes=10))  # nobody acknowledged: all thirty escalate, and are one page again
    await requested(platform, level=1, count=30)
    clock.advance(timedelta(seconds=HOLD))
    [to_leader] = await texts_to(vendors, "13905710032")
    await asyncio.sleep(2)

    assert to_officer["template_code"] == CODES["aliyun"]["incident_group_page"]
    assert (to_officer["params"]["count"], to_officer["params"]["kind"]) == ("30", "发热")
    assert to_officer["params"]["link"] == "http://127.0.0.1:8100/desk"
    assert "30起" in in_group["content"]
    assert len(desk.json()["items"]) == 30  # each incident still stands on the desk
    assert {i["status"] for i in desk.json()["items"]} == {"open"}
    assert (to_leader["template_code"], to_leader["params"]["count"]) == (CODES["aliyun"]["incident_group_page"], "30")
    assert len(vendors.received("aliyun", phone="13905710031")) == 1
    assert len([r for r in vendors.received("wecom") if "值班员officer-a" in r["content"]]) == 1


@contextlib.asynccontextmanager
async def pages_calling(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """The web pages in this process, calling the duty service the test runs."""
    settings = WebSettings(
        environment="test",
        session_secret=base64.b64encode(os.urandom(32)).decode(),
        dev_signin_keys=str(platform.sandbox.secrets.auth_dir),
    )
    app = create_web(settings)
    running = Running()
    try:
        client = await running.start("web", app)
        app.state.apis = dataclasses.replace(app.state.apis, duty=Api("duty", platform.client("duty")))
        yield client
    finally:
        await running.close()


async def test_the_acknowledge_page_asks_first_acknowledges_on_the_button_once_and_says_why_a_link_is_refused(
    platform: Platform, vendors: Emulator
) -> None:
    clock, duty = await started(platform, vendors)
    secrets = platform.sandbox.secrets
    await set_policy(platform, "officer-a", "13905710041")
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-4"), key="alert-4")
    await requested(platform, level=0)
    clock.advance(timedelta(seconds=HOLD))
    [to_officer] = await texts_to(vendors, "13905710041")
    token = token_of(to_officer)

    async with pages_calling(platform) as web:
        previewed = await web.get(f"/a/{token}")  # what a chat app does to show a preview
        opened = await web.get(f"/a/{token}")
        [before] = (await duty.get("/v1/incidents", headers=admin(secrets))).json()["items"]
        csrf = re.search(r'name="csrf" value="([^"]+)"', opened.text)
        assert csrf is not None, opened.text
        acknowledged = await web.post(f"/a/{token}", data={"csrf": csrf.group(1)})
        again = await web.post(f"/a/{token}", data={"csrf": csrf.group(1)})
        reopened = await web.get(f"/a/{token}")
        tampered = await web.get(f"/a/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}")
        forged = await web.post(f"/a/{token}", data={"csrf": "not-the-session's"})
    [after] = (await duty.get("/v1/incidents", headers=admin(secrets))).json()["items"]

    assert (previewed.status_code, opened.status_code) == (200, 200)
    assert "确认接单" in opened.text
    assert "发热事件" in opened.text
    assert before["status"] == "open"  # opening the link, twice, acknowledged nothing
    assert acknowledged.status_code == 200, acknowledged.text
    assert "已确认接单" in acknowledged.text
    assert (after["status"], after["acknowledged_by"]) == ("acknowledged", "officer-a")
    assert (again.status_code, "这条链接已经用过" in again.text) == (410, True)
    assert reopened.status_code == 200
    assert "这条链接已经用过，事件已确认接单" in reopened.text
    assert 'method="post"' not in reopened.text
    assert (tampered.status_code, "链接无效" in tampered.text) == (403, True)
    assert forged.status_code == 403


async def test_an_incident_step_delivered_twice_pages_once(platform: Platform, vendors: Emulator) -> None:
    clock, _ = await started(platform, vendors)
    await set_policy(platform, "officer-a", "13905710051")
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-5"), key="alert-5")
    await requested(platform, level=0)
    clock.advance(timedelta(seconds=HOLD))
    await texts_to(vendors, "13905710051")
    [opened] = [
        r for r in await platform.sandbox.read_topic("duty.incident.v1", at_least=1) if "opened" in r.event().type
    ]
    assert opened.key is not None
    assert opened.value is not None
    runner = next(c for c in platform.runtime("duty").consumers if c.group.endswith("duty.paging"))
    before = runner.stats.handled

    await platform.sandbox.publish_raw("duty.incident.v1", value=opened.value, key=opened.key, headers=opened.headers)

    async def handled_again() -> None:
        assert runner.stats.handled == before + 1

    await eventually(handled_again)
    clock.advance(timedelta(seconds=HOLD))
    await asyncio.sleep(2)
    assert len(vendors.received("aliyun", phone="13905710051")) == 1
    assert len([r for r in vendors.received("wecom") if "13905710051" in r["mentioned_mobiles"]]) == 1


async def test_with_nobody_on_duty_the_township_desk_hears_it_through_its_group(
    platform: Platform, vendors: Emulator
) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock, **through(vendors))  # no roster: the chain goes up at once
    vendors.forget("dingtalk")
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-6"), key="alert-6")
    await requested(platform, level=2)
    clock.advance(timedelta(seconds=HOLD))

    [to_desk] = await posts(vendors, "dingtalk", "乡镇（街道）值班室")
    pages = platform.sandbox.database("duty")["page_requests"]
    assert to_desk["taken"] is True
    assert "/a/" in to_desk["content"]  # the desk acknowledges from the group too
    assert await pages.count_documents({"level": {"$lt": 2}}) == 0  # nobody held those steps: nobody paged


async def test_in_quiet_hours_what_is_not_urgent_goes_to_the_group_and_what_is_urgent_is_texted_too(
    platform: Platform, vendors: Emulator
) -> None:
    clock = clock_at(local("2021-01-12T23:00"))  # night: officer-b and leader-b hold the shift
    await platform.start("duty", clock=clock, **through(vendors))
    await create_rotation(platform.client("duty"), platform.sandbox.secrets)
    await set_policy(platform, "officer-b", "13905710061", quiet_hours={"starts": "22:00", "ends": "07:00"})
    vendors.forget("wecom")
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("alert-7", severity="medium"), key="alert-7")
    await requested(platform, level=0)
    clock.advance(timedelta(seconds=HOLD))
    [quiet] = await posts(vendors, "wecom", "值班员officer-b")

    positive = alert("alert-8", kind="nat_positive", severity="critical")
    await publish(platform.sandbox, agreed.ALERT_RAISED, positive, key="alert-8")
    await requested(platform, level=0, count=2)
    clock.advance(timedelta(seconds=HOLD))
    [urgent] = await texts_to(vendors, "13905710061")

    assert quiet["mentioned_mobiles"] == ["13905710061"]
    assert urgent["params"]["kind"] == "核酸阳性"
    assert len(vendors.received("aliyun", phone="13905710061")) == 1  # the medium one was never texted


async def test_two_instances_page_a_storm_once(platform: Platform, vendors: Emulator) -> None:
    clock, _ = await started(platform, vendors, instance_id="duty-a")
    second = create_duty(
        DutySettings(**platform.sandbox.settings("duty", instance_id="duty-b", **through(vendors))), clock=clock
    )
    await platform.running.start("duty-b", second)
    for name in ("duty", "duty-b"):  # one relay throughout, as in the escalation test: the clock jumps
        relay = platform.runtime(name).relay
        assert relay is not None
        relay._lease._ttl = timedelta(days=1)
    await set_policy(platform, "officer-a", "13905710071")
    vendors.forget("wecom")

    for n in range(12):
        await publish(platform.sandbox, agreed.ALERT_RAISED, alert(f"pair-{n}"), key=f"pair-{n}")
    await requested(platform, level=0, count=12)
    clock.advance(timedelta(seconds=HOLD))
    [to_officer] = await texts_to(vendors, "13905710071")
    await asyncio.sleep(3)

    assert to_officer["params"]["count"] == "12"
    assert len(vendors.received("aliyun", phone="13905710071")) == 1
    assert len([r for r in vendors.received("wecom") if "13905710071" in r["mentioned_mobiles"]]) == 1


async def test_an_officer_on_duty_gets_every_page_past_the_daily_cap_on_texts(
    platform: Platform, vendors: Emulator
) -> None:
    clock, _ = await started(platform, vendors, sms_daily_cap_per_phone=1)
    await set_policy(platform, "officer-a", "13905710081")
    for n, kind in enumerate(("fever", "symptoms", "health_code_red")):  # three kinds: three pages, not one
        await publish(platform.sandbox, agreed.ALERT_RAISED, alert(f"cap-{n}", kind=kind), key=f"cap-{n}")
    await requested(platform, level=0, count=3)
    clock.advance(timedelta(seconds=HOLD))

    texts = await texts_to(vendors, "13905710081", count=3)
    assert sorted(t["params"]["kind"] for t in texts) == sorted(["发热", "症状异常", "红码"])
