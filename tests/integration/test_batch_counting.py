"""Counting a poll's worth of events together has the effect of counting each once, on the real database.

Duty's daily-report counters and monitoring's daily statistics take the check-ins of one poll in one write
per day's document. Each test counts some events one at a time first (as a redelivery finds them), then a
batch holding those again, an event twice (published twice, read in one poll) and new ones, across a
document that exists and one that does not: every event counts exactly once, and the batch of new events
on an existing document is one write.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from duty.reports import ledger
from duty.reports.effects import Row
from gridline.clock import SystemClock
from gridline.testing import Sandbox
from monitoring.stats import store

pytestmark = pytest.mark.integration

COMMUNITY = "330106001001"
TODAY, TOMORROW = date(2026, 12, 1), date(2026, 12, 2)


def _checkin(n: int, day: date = TODAY) -> tuple[str, str, list[Row]]:
    return f"event-{n}", "gridline.monitoring.checkin.recorded.v1", [Row(COMMUNITY, day, {"checkins.done": 1})]


async def test_duty_counts_a_batch_as_each_event_once(sandbox: Sandbox) -> None:
    db, clock = sandbox.database("duty"), SystemClock()
    await ledger.record(db=db, clock=clock, event_id="event-1", event_type="t", rows=_checkin(1)[2])

    batch = [_checkin(1), _checkin(2), _checkin(2), _checkin(3), _checkin(4, TOMORROW)]
    await ledger.record_many(db=db, clock=clock, events=batch)
    await ledger.record_many(db=db, clock=clock, events=batch)  # the whole poll again, after a crash

    today, tomorrow = await _counter(db, TODAY), await _counter(db, TOMORROW)
    assert today["counts"]["checkins"]["done"] == 3
    assert tomorrow["counts"]["checkins"]["done"] == 1
    assert await db[ledger.LEDGER].count_documents({}) == 4

    fresh = [_checkin(n) for n in range(10, 15)] + [_checkin(10)]
    await ledger.record_many(db=db, clock=clock, events=fresh)
    after = await _counter(db, TODAY)
    assert after["counts"]["checkins"]["done"] == 8
    assert after["version"] == today["version"] + 1  # five new rows (one of them twice), one write


async def _counter(db: Any, day: date) -> dict[str, Any]:
    found = await db[ledger.COUNTERS].find_one({"_id": ledger.counter_id(COMMUNITY, day.isoformat())})
    assert found is not None
    return dict(found)


def _count(n: int, day: date = TODAY, *, abnormal: bool = False) -> store.Count:
    increments = {"checkins.recorded": 1, **({"checkins.abnormal": 1} if abnormal else {})}
    return store.Count(day.isoformat(), COMMUNITY, "grid-1", f"event-{n}", increments)


async def test_monitoring_counts_a_batch_as_each_event_once(sandbox: Sandbox) -> None:
    db = sandbox.database("monitoring")
    await store.count_many(db=db, counts=[_count(1)])

    batch = [_count(1), _count(2, abnormal=True), _count(2, abnormal=True), _count(3)]
    await store.count_many(db=db, counts=[*batch, _count(4, TOMORROW)])
    await store.count_many(db=db, counts=batch)

    today = await db[store.COLLECTION].find_one({"_id": store.doc_id(TODAY.isoformat(), COMMUNITY, "grid-1")})
    tomorrow = await db[store.COLLECTION].find_one({"_id": store.doc_id(TOMORROW.isoformat(), COMMUNITY, "grid-1")})
    assert today is not None
    assert tomorrow is not None
    assert today["checkins"] == {"recorded": 3, "abnormal": 1}
    assert tomorrow["checkins"] == {"recorded": 1}
    assert sorted(today["applied"]) == ["event-1", "event-2", "event-3"]

    await store.count_many(db=db, counts=[_count(5), _count(6), _count(6)])  # new ones, one read twice
    today = await db[store.COLLECTION].find_one({"_id": store.doc_id(TODAY.isoformat(), COMMUNITY, "grid-1")})
    assert today is not None
    assert today["checkins"] == {"recorded": 5, "abnormal": 1}
