"""Plans follow classifications: opened within seconds, changed in place, moved with the person, ended on time."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from registry.persons.events import MERGED, UPDATED

from tests.conftest import Platform
from tests.integration.monitored import (
    beijing,
    classification,
    clock_at,
    events_of,
    merged,
    open_plan,
    plan_of,
    publish,
    retired,
)
from tests.integration.people import create_grid, returnee, worker

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)


async def test_a_classification_leads_to_a_plan_within_seconds(platform: Platform) -> None:
    await platform.start("registry", "monitoring")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)

    started = time.monotonic()
    person = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()
    plan = await plan_of(platform, person["id"])
    elapsed = time.monotonic() - started

    assert elapsed < 10, f"the plan took {elapsed:.1f} s"
    assert (plan["measure"], plan["checkins_per_day"], plan["grid_id"]) == ("home_health_monitoring", 1, grid_id)
    assert plan["ends_on"] == person["classification"]["ends_on"]
    assert plan["nat_dates"] == person["classification"]["nat_dates"]
    started_events = await events_of(platform, "monitoring.plan.v1", "plan.started.v1")
    assert started_events[0]["status"] == "active"
    assert started_events[0]["checkins_per_day"] == 1


async def test_a_reclassification_changes_the_plan_instead_of_adding_one(platform: Platform) -> None:
    await platform.start("registry", "monitoring")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    person = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()
    before = await plan_of(platform, person["id"])

    red = {"category": "non_local_arrival", "arrival_date": str(date.today()), "health_code": "red"}
    response = await registry.post(f"/v1/persons/{person['id']}/episodes", json=red, headers=worker(secrets))
    assert response.status_code == 201, response.text
    assert response.json()["classification"]["measure"] == "centralised_isolation"

    changed = await events_of(platform, "monitoring.plan.v1", "plan.changed.v1")
    after = await plan_of(platform, person["id"])
    assert after["id"] == before["id"]
    assert (after["measure"], after["checkins_per_day"], after["version"]) == ("centralised_isolation", 2, 2)
    assert (changed[0]["change"], changed[0]["previous_measure"]) == ("tightened", "home_health_monitoring")
    everything = await platform.client("monitoring").get(
        "/v1/plans", params={"person_id": person["id"]}, headers=worker(secrets)
    )
    assert len(everything.json()["items"]) == 1


async def test_a_release_from_any_measure_completes_the_plan(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    plan = await open_plan(platform, "p1", starts_on=TODAY - timedelta(days=3), clock=clock)

    await publish(platform, classification("p1", version=2, measure="none", starts_on=TODAY), key="p1")

    completed = await plan_of(platform, "p1", status="completed")
    assert (completed["id"], completed["close_reason"]) == (plan["id"], "released")
    ended = await events_of(platform, "monitoring.plan.v1", "plan.completed.v1")
    assert (ended[0]["ended_by"], ended[0]["status"]) == ("released", "completed")


async def test_an_extension_is_announced_as_extended(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    await open_plan(platform, "p1", starts_on=TODAY - timedelta(days=3), clock=clock)
    await publish(platform, classification("p1", version=2, starts_on=TODAY - timedelta(days=3), days=21), key="p1")
    changed = await events_of(platform, "monitoring.plan.v1", "plan.changed.v1")
    assert changed[0]["change"] == "extended"
    assert changed[0]["ends_on"] == (TODAY + timedelta(days=17)).isoformat()


async def test_a_merge_moves_the_duplicates_plan_to_the_survivor(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    plan = await open_plan(platform, "duplicate", starts_on=TODAY - timedelta(days=1), clock=clock)

    await publish(platform, merged("survivor", "duplicate", version=4), key="survivor", spec=MERGED)
    moved = await plan_of(platform, "survivor")
    await publish(platform, retired("duplicate", into="survivor", version=2), key="duplicate", spec=UPDATED)
    await publish(platform, merged("survivor", "duplicate", version=4), key="survivor", spec=MERGED)  # redelivered

    assert moved["id"] == plan["id"]
    changed = await events_of(platform, "monitoring.plan.v1", "plan.changed.v1")
    assert [(c["person_id"], c["previous_person_id"]) for c in changed] == [("survivor", "duplicate")]
    await publish(
        platform, classification("survivor", version=4, measure="home_isolation", starts_on=TODAY), key="survivor"
    )
    tightened = await events_of(platform, "monitoring.plan.v1", "plan.changed.v1", at_least=2)
    assert tightened[-1]["measure"] == "home_isolation"  # the merge's own classification still applies
    assert (await plan_of(platform, "survivor"))["id"] == plan["id"]


async def test_a_duplicates_plan_is_cancelled_when_the_survivor_has_one(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    kept = await open_plan(platform, "survivor", starts_on=TODAY - timedelta(days=1), clock=clock)
    dropped = await open_plan(platform, "duplicate", starts_on=TODAY - timedelta(days=1), clock=clock)

    await publish(platform, merged("survivor", "duplicate", version=3), key="survivor", spec=MERGED)

    cancelled = await events_of(platform, "monitoring.plan.v1", "plan.cancelled.v1")
    assert [(c["plan_id"], c["reason"]) for c in cancelled] == [(dropped["id"], "merged")]
    assert (await plan_of(platform, "survivor"))["id"] == kept["id"]


async def test_a_plan_moves_to_its_next_stage_and_ends_on_its_last_day_at_the_cut_off(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    stages = [("centralised_isolation", 1), ("home_health_monitoring", 1)]
    plan = await open_plan(platform, "p1", measure="centralised_isolation", starts_on=TODAY, stages=stages, clock=clock)
    assert (plan["checkins_per_day"], plan["ends_on"]) == (2, (TODAY + timedelta(days=1)).isoformat())

    clock.advance(beijing(TODAY, 20, 0) - clock.now() + timedelta(seconds=1))
    changed = await events_of(platform, "monitoring.plan.v1", "plan.changed.v1")
    assert (changed[0]["change"], changed[0]["measure"], changed[0]["checkins_per_day"]) == (
        "relaxed",
        "home_health_monitoring",
        1,
    )

    clock.advance(timedelta(days=1))
    completed = await events_of(platform, "monitoring.plan.v1", "plan.completed.v1")
    assert (completed[0]["plan_id"], completed[0]["ended_by"]) == (plan["id"], "schedule")
    missed = await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1", at_least=3)
    assert sorted((m["day"], m["slot"]) for m in missed) == [
        (TODAY.isoformat(), 1),
        (TODAY.isoformat(), 2),
        ((TODAY + timedelta(days=1)).isoformat(), 1),
    ]
