"""Residents check in through a signed, expiring link: no account, no ID number, and only for themselves."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Any

import pytest
from gridline.clock import FixedClock

from tests.conftest import Platform
from tests.integration.monitored import beijing, classification, clock_at, events_of, open_plan, plan_of, publish
from tests.integration.people import COMMUNITY, admin, worker

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)
REPORT = {"temperature_c": 36.6, "symptoms": [], "health_code": "green"}


async def issue(platform: Platform, plan: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await platform.client("monitoring").post(
        f"/v1/plans/{plan['id']}/self-checkin-links", json=body, headers=worker(platform.sandbox.secrets)
    )
    assert response.status_code == 201, response.text
    link: dict[str, Any] = response.json()
    return link


async def self_check_in(platform: Platform, plan_id: str, token: str, **report: Any) -> Any:
    return await platform.client("monitoring").post(
        f"/v1/plans/{plan_id}/self-checkin", json={**REPORT, **report}, headers={"X-Link-Token": token}
    )


async def setup(platform: Platform) -> tuple[FixedClock, dict[str, Any]]:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    plan = await open_plan(platform, "p1", starts_on=TODAY - timedelta(days=2), days=5, clock=clock)
    return clock, plan


async def test_a_resident_checks_in_through_the_link_and_is_told_whom_to_call(platform: Platform) -> None:
    _, plan = await setup(platform)
    await platform.client("monitoring").patch(
        f"/v1/communities/{COMMUNITY}/settings",
        json={"duty_phone": "0571-87001234"},
        headers=admin(platform.sandbox.secrets),
    )
    link = await issue(platform, plan)
    assert link["url"].endswith(link["token"])
    assert link["qr_svg"].lstrip().startswith("<svg")
    assert base64.b64decode(link["qr_png_base64"]).startswith(b"\x89PNG")

    form = await platform.client("monitoring").get(
        f"/v1/plans/{plan['id']}/self-checkin", headers={"X-Link-Token": link["token"]}
    )
    response = await self_check_in(platform, plan["id"], link["token"], temperature_c=37.6)

    assert form.status_code == 200, form.text
    assert (form.json()["slots_today"], form.json()["slots_done"]) == (1, 0)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["day"], answer["slot"], answer["slots_done"]) == (TODAY.isoformat(), 1, 1)
    assert answer["call"]["duty_phone"] == "0571-87001234"
    recorded = await events_of(platform, "monitoring.checkin.v1", "checkin.recorded.v1")
    assert recorded[0]["method"] == "self_report"
    raised = await events_of(platform, "monitoring.alert.v1", "alert.raised.v1")
    assert raised[0]["kind"] == "fever"


async def test_the_link_fails_after_expiry_for_another_person_and_when_tampered_with(platform: Platform) -> None:
    clock, plan = await setup(platform)
    other = await open_plan(platform, "p2", starts_on=TODAY - timedelta(days=2), clock=clock)
    link = await issue(platform, plan, valid_days=1)
    header, payload, signature = link["token"].split(".")
    forged_payload = base64.urlsafe_b64decode(payload + "==").replace(plan["id"].encode(), other["id"].encode())
    forged = ".".join([header, base64.urlsafe_b64encode(forged_payload).decode().rstrip("="), signature])

    for_other = await self_check_in(platform, other["id"], link["token"])
    tampered = await self_check_in(platform, other["id"], forged)
    truncated = await self_check_in(platform, plan["id"], link["token"][:-3])
    missing = await platform.client("monitoring").post(f"/v1/plans/{plan['id']}/self-checkin", json=REPORT)
    assert (for_other.status_code, tampered.status_code, truncated.status_code, missing.status_code) == (401,) * 4
    assert for_other.json()["type"] == "/problems/link-invalid"

    clock.advance(timedelta(days=1, seconds=1))
    expired = await self_check_in(platform, plan["id"], link["token"])
    assert expired.status_code == 410
    assert expired.json()["type"] == "/problems/link-expired"
    records = await platform.sandbox.read_topic("monitoring.checkin.v1", at_least=3, timeout=3)
    assert [r.event().type for r in records if "recorded" in r.event().type] == []


async def test_the_link_stops_working_when_the_plan_ends(platform: Platform) -> None:
    clock, plan = await setup(platform)
    link = await issue(platform, plan)
    assert (await self_check_in(platform, plan["id"], link["token"])).status_code == 201

    await publish(platform, classification("p1", version=2, measure="none", starts_on=TODAY, clock=clock), key="p1")
    await plan_of(platform, "p1", status="completed")

    after = await self_check_in(platform, plan["id"], link["token"])
    assert after.status_code == 410
    refused = await platform.client("monitoring").post(
        f"/v1/plans/{plan['id']}/self-checkin-links", json={}, headers=worker(platform.sandbox.secrets)
    )
    assert refused.status_code == 409


async def test_a_link_never_outlives_the_plan(platform: Platform) -> None:
    clock, plan = await setup(platform)
    link = await issue(platform, plan, valid_days=30)
    assert link["expires_at"].startswith(plan["ends_on"])  # midnight after the last day, in UTC: 16:00 the day before
    clock.advance(beijing(TODAY + timedelta(days=3), 8) - clock.now())
    expired = await self_check_in(platform, plan["id"], link["token"])
    assert expired.status_code == 410
