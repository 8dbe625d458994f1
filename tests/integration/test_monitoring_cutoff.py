"""The daily cut-off: a stored timer per community that fires once, with two replicas, across restarts."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from gridline.clock import FixedClock
from gridline.testing import eventually
from monitoring.main import create_app
from monitoring.settings import MonitoringSettings

from tests.conftest import Platform
from tests.integration.monitored import beijing, clock_at, events_of, open_plan
from tests.integration.people import COMMUNITY, admin, worker

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)
NORMAL = {"method": "phone", "temperature_c": 36.4, "symptoms": [], "health_code": "green"}


async def start_replicas(platform: Platform, clock: FixedClock, *names: str) -> None:
    """Instances of monitoring on one database and one set of topics, as replicas run in production."""
    for name in names:
        settings = MonitoringSettings(**platform.sandbox.settings("monitoring", instance_id=name))  # type: ignore[arg-type]
        await platform.running.start(name, create_app(settings, clock=clock))


async def open_plans(platform: Platform, client: str, *people: str) -> dict[str, dict[str, Any]]:
    plans = {}
    for person in people:
        plans[person] = await open_plan(platform, person, starts_on=TODAY - timedelta(days=1), clock=clock_at(TODAY, 9))
        assert plans[person]["first_day"] == TODAY.isoformat()
    return plans


async def check_in(platform: Platform, client: str, plan: dict[str, Any]) -> None:
    response = await platform.client(client).post(
        f"/v1/plans/{plan['id']}/checkins", json=NORMAL, headers=worker(platform.sandbox.secrets)
    )
    assert response.status_code == 201, response.text


async def pass_cut_off(clock: FixedClock, day: date) -> None:
    """Let time reach `day`'s 20:00 cut-off the way it passes for running replicas.

    The outbox relay's lease runs on the same clock. Jumping hours in one step would let it lapse under the
    replica publishing at that moment, so the other would take over mid-round and publish the same records
    again: a relay stalled for longer than its lease, which is not what this test is about. Time therefore
    jumps to just before the cut-off, the lease is renewed there, and the last seconds pass within it.
    """
    clock.advance(beijing(day, 19, 59, 55) - clock.now())
    await asyncio.sleep(1)  # a relay round or more at the new time: the holder renews its lease
    clock.advance(timedelta(seconds=6))


def slots(missed: list[dict[str, Any]]) -> Counter[tuple[str, str, int]]:
    return Counter((m["person_id"], m["day"], m["slot"]) for m in missed)


async def test_a_missed_check_in_at_the_cut_off_is_announced_exactly_once_with_two_replicas(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await start_replicas(platform, clock, "monitoring", "replica-b")
    plans = await open_plans(platform, "monitoring", "p1", "p2", "p3")
    await check_in(platform, "replica-b", plans["p1"])

    await pass_cut_off(clock, TODAY)
    first_day = await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1", at_least=2)

    await pass_cut_off(clock, TODAY + timedelta(days=1))  # nobody checks in on the second day
    missed = await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1", at_least=5)
    raised = await events_of(platform, "monitoring.alert.v1", "alert.raised.v1", at_least=2)

    day1, day2 = TODAY.isoformat(), (TODAY + timedelta(days=1)).isoformat()
    assert slots(first_day) == Counter({("p2", day1, 1): 1, ("p3", day1, 1): 1})
    assert slots(missed) == Counter(
        {("p2", day1, 1): 1, ("p3", day1, 1): 1, ("p1", day2, 1): 1, ("p2", day2, 1): 1, ("p3", day2, 1): 1}
    )
    runs = {(m["person_id"], m["day"]): m["consecutive_missed_days"] for m in missed}
    assert runs == {("p2", day1): 1, ("p3", day1): 1, ("p1", day2): 1, ("p2", day2): 2, ("p3", day2): 2}
    assert sorted((a["person_id"], a["kind"], a["severity"]) for a in raised) == [
        ("p2", "missed_checkins", "medium"),
        ("p3", "missed_checkins", "medium"),
    ]
    jobs = platform.sandbox.database("monitoring")["jobs"]
    done = [j async for j in jobs.find({"kind": "checkin-cutoff", "status": "done"})]
    assert sorted(j["payload"]["day"] for j in done) == [day1, day2]
    assert {j["holder"] for j in done} <= {"monitoring", "replica-b"}


async def test_the_cut_off_timer_survives_a_restart(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await start_replicas(platform, clock, "monitoring")
    await open_plans(platform, "monitoring", "p1")
    await platform.running.stop("monitoring")

    clock.advance(beijing(TODAY, 20, 30) - clock.now())  # the cut-off passes while nothing runs
    await start_replicas(platform, clock, "monitoring-again")

    missed = await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1")
    assert slots(missed) == Counter({("p1", TODAY.isoformat(), 1): 1})


async def test_a_community_that_moves_its_cut_off_is_judged_at_the_new_time_only(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await start_replicas(platform, clock, "monitoring")
    await open_plans(platform, "monitoring", "p1")
    monitoring, secrets = platform.client("monitoring"), platform.sandbox.secrets

    changed = await monitoring.patch(
        f"/v1/communities/{COMMUNITY}/settings", json={"cutoff_time": "18:00"}, headers=admin(secrets)
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["cutoff_time"] == "18:00"

    clock.advance(beijing(TODAY, 18, 0) - clock.now() + timedelta(seconds=1))
    await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1")
    clock.advance(timedelta(hours=2, minutes=30))  # past the old 20:00 timer, which must stand down

    jobs = platform.sandbox.database("monitoring")["jobs"]

    async def old_timer_done() -> None:
        old = await jobs.find_one({"_id": f"cutoff:{COMMUNITY}:{TODAY.isoformat()}@20:00"})
        assert old is not None
        assert old["status"] == "done"

    await eventually(old_timer_done)
    missed = await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1")
    assert len(missed) == 1


async def test_a_late_check_in_is_kept_and_flagged_and_the_miss_stands(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await start_replicas(platform, clock, "monitoring")
    plans = await open_plans(platform, "monitoring", "p1")
    clock.advance(beijing(TODAY, 20, 0) - clock.now() + timedelta(seconds=1))
    await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1")

    late = await platform.client("monitoring").post(
        f"/v1/plans/{plans['p1']['id']}/checkins", json=NORMAL, headers=worker(platform.sandbox.secrets)
    )

    assert late.status_code == 201, late.text
    assert (late.json()["state"], late.json()["result"]["late"]) == ("missed", True)
    recorded = await events_of(platform, "monitoring.checkin.v1", "checkin.recorded.v1")
    assert recorded[0]["late"] is True


async def test_a_retry_arriving_after_the_next_cut_off_is_answered_and_the_miss_stays_free(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await start_replicas(platform, clock, "monitoring")
    plans = await open_plans(platform, "monitoring", "p1")
    url = f"/v1/plans/{plans['p1']['id']}/checkins"
    plain = worker(platform.sandbox.secrets)
    keyed = {**plain, "Idempotency-Key": "phone-retry-after-cut-off"}
    first = await platform.client("monitoring").post(url, json=NORMAL, headers=keyed)
    assert first.status_code == 201, first.text
    tomorrow = TODAY + timedelta(days=1)
    await pass_cut_off(clock, TODAY)
    await pass_cut_off(clock, tomorrow)
    missed = await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1")
    assert slots(missed) == Counter({("p1", tomorrow.isoformat(), 1): 1})

    # The retry meets the next day's missed slot, whose first result it would become: the unique
    # first_checkin_id refuses that write, and the retry is answered from the slot that holds it.
    again = await platform.client("monitoring").post(url, json=NORMAL, headers=keyed)
    late = await platform.client("monitoring").post(url, json=NORMAL, headers=plain)

    assert again.status_code == 201, again.text
    assert again.json()["slot_id"] == first.json()["slot_id"]
    assert (again.json()["state"], again.json()["result"]["late"]) == ("recorded", False)
    assert late.status_code == 201, late.text
    assert (late.json()["day"], late.json()["state"]) == (tomorrow.isoformat(), "missed")
    assert late.json()["result"]["late"] is True
    recorded = await events_of(platform, "monitoring.checkin.v1", "checkin.recorded.v1", at_least=2)
    assert [r["late"] for r in recorded] == [False, True]
