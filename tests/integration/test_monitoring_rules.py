"""Monitoring rules are data: a county changes its triggers and check-in counts without a release."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import Platform
from tests.integration.monitored import clock_at, events_of, open_plan
from tests.integration.people import worker

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)


async def test_a_county_lowers_its_fever_threshold_and_a_check_in_follows_it(platform: Platform) -> None:
    await platform.start("monitoring", clock=clock_at(TODAY, 9))
    monitoring, secrets = platform.client("monitoring"), platform.sandbox.secrets
    county = secrets.headers("county_officer", jurisdiction="330106")
    province = (await monitoring.get("/v1/monitoring-rules/330106", headers=worker(secrets))).json()
    assert province["scope"] == "33"
    rules: dict[str, Any] = {**province, "scope": "330106", "version": 1}
    rules["checkin_triggers"] = [
        {"kind": "fever", "severity": "high", "description": "体温≥37.0℃", "temperature_at_least": 37.0}
    ]
    rules["checkins_per_day"] = {**province["checkins_per_day"], "home_health_monitoring": 2}

    stored = await monitoring.put("/v1/monitoring-rules/330106", json=rules, headers=county)
    stale = await monitoring.put("/v1/monitoring-rules/330106", json=rules, headers=county)
    other_county = await monitoring.put(
        "/v1/monitoring-rules/330102", json={**rules, "scope": "330102"}, headers=county
    )
    by_worker = await monitoring.put("/v1/monitoring-rules/330106", json=rules, headers=worker(secrets))

    assert stored.status_code == 200, stored.text
    assert (stale.status_code, other_county.status_code, by_worker.status_code) == (409, 404, 403)
    plan = await open_plan(platform, "p1", starts_on=TODAY - timedelta(days=1), clock=clock_at(TODAY, 9))
    assert plan["checkins_per_day"] == 2
    body = {"method": "phone", "temperature_c": 37.1, "symptoms": [], "health_code": "green"}
    await monitoring.post(f"/v1/plans/{plan['id']}/checkins", json=body, headers=worker(secrets))
    raised = await events_of(platform, "monitoring.alert.v1", "alert.raised.v1")
    assert (raised[0]["kind"], raised[0]["reason"]) == ("fever", "体温≥37.0℃")


@pytest.mark.parametrize(
    "trigger",
    [
        {"kind": "fever", "severity": "high", "description": "x"},  # no condition
        {"kind": "venue_fever", "severity": "high", "description": "x", "temperature_at_least": 37.3},
        {"kind": "fever", "severity": "urgent", "description": "x", "temperature_at_least": 37.3},
    ],
)
async def test_a_rule_that_cannot_be_applied_is_refused(platform: Platform, trigger: dict[str, Any]) -> None:
    await platform.start("monitoring")
    monitoring, secrets = platform.client("monitoring"), platform.sandbox.secrets
    province = (await monitoring.get("/v1/monitoring-rules/33", headers=worker(secrets))).json()
    response = await monitoring.put(
        "/v1/monitoring-rules/330106",
        json={**province, "scope": "330106", "checkin_triggers": [trigger]},
        headers=secrets.headers("county_officer", jurisdiction="330106"),
    )
    assert response.status_code == 422, response.text
