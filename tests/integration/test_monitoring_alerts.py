"""Alerts are worked to the end: acknowledged, resolved with who and why, and never silently dropped."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.monitored import clock_at, events_of, open_plan
from tests.integration.people import OTHER_COMMUNITY, worker

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)


async def fever_alert(platform: Platform) -> dict[str, Any]:
    await platform.start("monitoring", clock=clock_at(TODAY, 9))
    plan = await open_plan(platform, "p1", starts_on=TODAY - timedelta(days=2), clock=clock_at(TODAY, 9))
    monitoring, headers = platform.client("monitoring"), worker(platform.sandbox.secrets)
    body = {"method": "visit", "temperature_c": 37.5, "symptoms": [], "health_code": "green"}
    await monitoring.post(f"/v1/plans/{plan['id']}/checkins", json=body, headers=headers)

    async def kept() -> dict[str, Any]:
        response = await monitoring.get("/v1/alerts", params={"status": "open"}, headers=headers)
        items = response.json()["items"]
        assert len(items) == 1
        alert: dict[str, Any] = items[0]
        return alert

    return await eventually(kept)


async def test_an_alert_is_acknowledged_then_resolved_with_who_and_why(platform: Platform) -> None:
    alert = await fever_alert(platform)
    monitoring, secrets = platform.client("monitoring"), platform.sandbox.secrets
    duty = secrets.headers("duty_officer", jurisdiction="330106001", subject="duty-1")
    grid_worker = worker(secrets, subject="worker-7")

    acknowledged = await monitoring.post(f"/v1/alerts/{alert['id']}/acknowledge", headers=duty)
    again = await monitoring.post(f"/v1/alerts/{alert['id']}/acknowledge", headers=grid_worker)
    resolved = await monitoring.post(
        f"/v1/alerts/{alert['id']}/resolve",
        json={"outcome": "handled", "note": "复测体温36.8℃，已嘱居家观察"},
        headers=grid_worker,
    )
    twice = await monitoring.post(f"/v1/alerts/{alert['id']}/resolve", json={"outcome": "handled"}, headers=duty)

    assert acknowledged.status_code == 200, acknowledged.text
    assert (acknowledged.json()["status"], acknowledged.json()["acknowledged_by"]) == ("acknowledged", "duty-1")
    assert again.json()["acknowledged_by"] == "duty-1"
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolved_by"], resolved.json()["outcome"]) == (
        "resolved",
        "worker-7",
        "handled",
    )
    assert twice.status_code == 409
    acks = await events_of(platform, "monitoring.alert.v1", "alert.acknowledged.v1")
    resolutions = await events_of(platform, "monitoring.alert.v1", "alert.resolved.v1")
    assert [(a["alert_id"], a["by"]) for a in acks] == [(alert["id"], "duty-1")]
    assert [(r["alert_id"], r["by"], r["reason"]) for r in resolutions] == [(alert["id"], "worker-7", "handled")]
    assert resolutions[0]["person_id"] == "p1"
    listed = await monitoring.get("/v1/alerts", headers=grid_worker)
    single = await monitoring.get(f"/v1/alerts/{alert['id']}", headers=grid_worker)
    assert [a["note"] for a in listed.json()["items"]] == [None]
    assert single.json()["note"] == "复测体温36.8℃，已嘱居家观察"
    records = await platform.sandbox.read_topic("monitoring.alert.v1", at_least=3)
    assert not any(b"36.8" in (r.value or b"") for r in records)  # the note stays in the service


async def test_resolving_needs_a_reason_and_the_right_and_stays_inside_the_jurisdiction(platform: Platform) -> None:
    alert = await fever_alert(platform)
    monitoring, secrets = platform.client("monitoring"), platform.sandbox.secrets
    url = f"/v1/alerts/{alert['id']}/resolve"

    no_reason = await monitoring.post(url, json={}, headers=worker(secrets))
    made_up = await monitoring.post(url, json={"outcome": "ignored"}, headers=worker(secrets))
    officer = await monitoring.post(
        url, json={"outcome": "handled"}, headers=secrets.headers("county_officer", jurisdiction="330106")
    )
    elsewhere = await monitoring.post(
        url, json={"outcome": "handled"}, headers=worker(secrets, jurisdiction=OTHER_COMMUNITY)
    )

    assert (no_reason.status_code, made_up.status_code, officer.status_code, elsewhere.status_code) == (
        422,
        422,
        403,
        404,
    )
    still = await monitoring.get(f"/v1/alerts/{alert['id']}", headers=worker(secrets))
    assert still.json()["status"] == "open"


async def test_a_redelivered_alert_is_kept_once(platform: Platform) -> None:
    alert = await fever_alert(platform)
    records = await platform.sandbox.read_topic("monitoring.alert.v1", at_least=1)
    for record in records:
        await platform.sandbox.publish_raw(
            "monitoring.alert.v1", value=record.value or b"", key=record.key or b"", headers=record.headers
        )
    runner = next(c for c in platform.runtime("monitoring").consumers if c.group.endswith("alerts"))

    async def handled_twice() -> None:
        assert runner.stats.handled == 2

    await eventually(handled_twice)
    stored = platform.sandbox.database("monitoring")["alerts"]
    assert await stored.count_documents({}) == 1
    assert (await stored.find_one({"_id": alert["id"]}) or {})["status"] == "open"
