"""A monitoring alert about a member opens a help request, once; alerts about anyone else open nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Platform
from tests.integration.care_world import (
    ALERT_RAISED,
    clock_at,
    coordinator,
    deliver,
    elderly_registered,
    events_of,
    fever,
    handled,
    member_facts,
)

pytestmark = pytest.mark.integration


async def requests_of(platform: Platform, person_id: str) -> list[dict[str, Any]]:
    response = await platform.client("care").get(
        "/v1/requests", params={"person_id": person_id}, headers=coordinator(platform.sandbox.secrets)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_fever_alert_for_an_elderly_member_opens_one_urgent_request_even_delivered_twice(
    platform: Platform,
) -> None:
    await platform.start("care", clock=clock_at())
    await member_facts(platform.sandbox, "p-1", elderly_registered("p-1"))
    await handled(platform, "members", 1)

    alert = await deliver(platform.sandbox, ALERT_RAISED, fever("p-1", severity="medium"), key="alert-1", times=2)
    await handled(platform, "alerts", 2)

    [request] = await requests_of(platform, "p-1")
    assert (request["type"], request["priority"], request["source"]) == ("medicine", "urgent", "alert")
    assert request["status"] == "open"
    acknowledge_in = _minutes(request["acknowledge_by"], request["opened_at"])
    fulfil_in = _minutes(request["fulfil_by"], request["opened_at"])
    assert (acknowledge_in, fulfil_in) == (30, 240)  # urgent medicine, by the configured deadlines
    [opened] = await events_of(platform.sandbox, "care.request.v1", at_least=1)
    assert opened.causationid == alert.id
    assert opened.data["source"] == "alert"


async def test_alerts_about_non_members_or_venues_or_unconfigured_kinds_open_nothing(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    await member_facts(platform.sandbox, "p-2", elderly_registered("p-2"))
    await handled(platform, "members", 1)
    venue = fever("p-2", alert_id="alert-venue", kind="venue_fever").model_copy(update={"person_id": None})

    await deliver(platform.sandbox, ALERT_RAISED, fever("stranger", alert_id="alert-2"), key="alert-2")
    await deliver(platform.sandbox, ALERT_RAISED, venue, key="alert-venue")
    await deliver(platform.sandbox, ALERT_RAISED, fever("p-2", alert_id="a-3", kind="health_code_yellow"), key="a-3")
    await handled(platform, "alerts", 3)

    assert await requests_of(platform, "p-2") == []
    assert await requests_of(platform, "stranger") == []


def _minutes(later: str, earlier: str) -> int:
    return int((datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds() // 60)
