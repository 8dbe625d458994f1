"""Entry checks at a service centre: fevers and yellow or red codes raise alerts; people at once stay under the cap."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

import pytest
from gridline.clock import SystemClock
from gridline.events import EventData, EventSpec, event_type
from gridline.outbox import make_event
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.monitored import beijing, clock_at, events_of
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY, admin

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)
WELL = {"temperature_c": 36.5, "health_code": "green", "mask": True}


def staff(platform: Platform, jurisdiction: str = COMMUNITY) -> dict[str, str]:
    return platform.sandbox.secrets.headers("venue_staff", jurisdiction=jurisdiction, subject="door-1")


async def venue(platform: Platform, capacity: int = 30) -> dict[str, Any]:
    body = {"community_code": COMMUNITY, "name": "曙光社区服务中心", "capacity": capacity}
    response = await platform.client("monitoring").post(
        "/v1/venues", json=body, headers=admin(platform.sandbox.secrets)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def enter(platform: Platform, venue_id: str, **check: Any) -> Any:
    return await platform.client("monitoring").post(
        f"/v1/venues/{venue_id}/entries", json={**WELL, **check}, headers=staff(platform)
    )


async def test_a_red_code_at_the_door_raises_an_alert_with_the_venue_and_the_time(platform: Platform) -> None:
    await platform.start("monitoring", clock=clock_at(TODAY, 10, 15))
    centre = await venue(platform)

    response = await enter(platform, centre["id"], health_code="red", person_id="p9")

    assert response.status_code == 201, response.text
    assert response.json()["decision"] == "refer"
    assert response.json()["occupancy"] == 0
    raised = await events_of(platform, "monitoring.alert.v1", "alert.raised.v1")
    alert = raised[0]
    assert (alert["kind"], alert["severity"], alert["venue_id"]) == ("venue_health_code", "high", centre["id"])
    assert (alert["community_code"], alert["person_id"], alert["grid_id"]) == (COMMUNITY, "p9", None)
    assert alert["raised_at"] == beijing(TODAY, 10, 15).astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_a_fever_at_the_door_is_referred_and_alerted(platform: Platform) -> None:
    await platform.start("monitoring", clock=clock_at(TODAY, 10))
    centre = await venue(platform)
    response = await enter(platform, centre["id"], temperature_c=37.9)
    assert response.json()["decision"] == "refer"
    raised = await events_of(platform, "monitoring.alert.v1", "alert.raised.v1")
    assert raised[0]["kind"] == "venue_fever"


async def test_occupancy_counts_entries_and_exits_against_the_cap(platform: Platform) -> None:
    await platform.start("monitoring", clock=clock_at(TODAY, 10))
    centre = await venue(platform, capacity=2)
    monitoring = platform.client("monitoring")

    decisions = [(await enter(platform, centre["id"])).json()["decision"] for _ in range(3)]
    unmasked = await enter(platform, centre["id"], mask=False)
    full = (await monitoring.get(f"/v1/venues/{centre['id']}/occupancy", headers=staff(platform))).json()
    left = await monitoring.post(f"/v1/venues/{centre['id']}/exits", json={"count": 1}, headers=staff(platform))
    after = await enter(platform, centre["id"])

    assert decisions == ["admit", "admit", "wait"]
    assert unmasked.json()["decision"] == "mask_required"
    assert (full["occupancy"], full["capacity"], full["at_capacity"], full["turned_away"]) == (2, 2, True, 2)
    assert left.json()["occupancy"] == 1
    assert after.json()["decision"] == "admit"
    raised = await events_of(platform, "monitoring.alert.v1", "alert.raised.v1")
    assert [a["kind"] for a in raised] == ["venue_over_capacity"]  # once a day, not per visitor turned away


async def test_a_retried_entry_counts_once(platform: Platform) -> None:
    await platform.start("monitoring", clock=clock_at(TODAY, 10))
    centre = await venue(platform)
    headers = {**staff(platform), "Idempotency-Key": "door-entry-00001"}
    for _ in range(2):
        response = await platform.client("monitoring").post(
            f"/v1/venues/{centre['id']}/entries", json=WELL, headers=headers
        )
        assert response.status_code == 201
    occupancy = await platform.client("monitoring").get(f"/v1/venues/{centre['id']}/occupancy", headers=staff(platform))
    assert (occupancy.json()["entries"], occupancy.json()["occupancy"]) == (1, 1)


async def test_venues_of_another_community_are_not_found(platform: Platform) -> None:
    await platform.start("monitoring", clock=clock_at(TODAY, 10))
    centre = await venue(platform)
    response = await platform.client("monitoring").post(
        f"/v1/venues/{centre['id']}/entries", json=WELL, headers=staff(platform, OTHER_COMMUNITY)
    )
    assert response.status_code == 404
    bad = await enter(platform, centre["id"], temperature_c=12)
    assert bad.status_code == 422


class VenueRegistered(EventData):
    venue_id: str
    community_code: str
    name: str
    kind: str
    capacity: int
    active: bool


async def test_venues_follow_duty_once_duty_publishes_them(platform: Platform) -> None:
    await platform.start("monitoring", clock=clock_at(TODAY, 10), consume_duty_events=True)
    spec = EventSpec("duty.venue.v1", event_type("duty", "venue", "registered"), VenueRegistered)
    data = VenueRegistered(
        venue_id="duty-venue-1", community_code=COMMUNITY, name="活动室", kind="activity_room", capacity=5, active=True
    )
    event = make_event(spec, source="/gridline/duty", key="duty-venue-1", data=data, clock=SystemClock())
    key, value, headers = event.to_record()
    await platform.sandbox.publish_raw("duty.venue.v1", value=value, key=key, headers=headers)

    async def listed() -> None:
        venues = await platform.client("monitoring").get("/v1/venues", headers=staff(platform))
        assert [(v["id"], v["source"], v["capacity"]) for v in venues.json()["items"]] == [("duty-venue-1", "duty", 5)]

    await eventually(listed)
    response = await enter(platform, "duty-venue-1")
    assert response.json()["decision"] == "admit"
