"""Counting the day's events into the counter documents, each event exactly once."""

from __future__ import annotations

from gridline.events import Event
from gridline.mongo import Database

from monitoring.days import iso, local_day
from monitoring.stats import store
from monitoring.stats.inbound import AlertRaisedIn, CheckinRecordedIn, PlanEventIn


async def checkin_recorded(*, db: Database, event: Event, data: CheckinRecordedIn) -> None:
    await store.count_many(db=db, counts=[_checkin_count(event, data)])


async def checkins_recorded(*, db: Database, batch: list[tuple[Event, CheckinRecordedIn]]) -> None:
    await store.count_many(db=db, counts=[_checkin_count(event, data) for event, data in batch])


def _checkin_count(event: Event, data: CheckinRecordedIn) -> store.Count:
    increments = {"checkins.recorded": 1}
    if data.late:
        increments["checkins.late"] = 1
    if data.corrects:
        increments["checkins.corrected"] = 1
    if data.abnormal:
        increments["checkins.abnormal"] = 1
    return store.Count(iso(data.day), data.community_code, data.grid_id, event.id, increments)


async def alert_raised(*, db: Database, event: Event, data: AlertRaisedIn) -> None:
    day = iso(local_day(data.raised_at))
    count = store.Count(day, data.community_code, data.grid_id, event.id, {f"alerts.{data.kind}": 1})
    await store.count_once(db=db, count=count)


async def plan_event(*, db: Database, event: Event, data: PlanEventIn, counter: str) -> None:
    """`counter` is started, completed or cancelled; the day is the one the plan event happened on."""
    day = iso(local_day(event.time))
    count = store.Count(day, data.community_code, data.grid_id, event.id, {f"plans.{counter}": 1})
    await store.count_once(db=db, count=count)
