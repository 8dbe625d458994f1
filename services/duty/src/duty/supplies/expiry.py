"""Expiry checks: a stored job per lot, due when the lot enters the warning period, raising `supply.expiring` once."""

from __future__ import annotations

from datetime import date, timedelta

from gridline.clock import Clock
from gridline.jobs import JobContext, JobKind, schedule
from gridline.mongo import Database, update_guarded
from gridline.outbox import make_event, with_events

from duty.supplies import events, lots
from duty.supplies.store import COLLECTION
from duty.timing import at_local, parse_hhmm

KIND = "supply.expiry-check"
CHECK_TIME = "09:00"
SOURCE = "/gridline/duty"


async def schedule_check(*, db: Database, clock: Clock, supply_id: str, expires_on: date, warning_days: int) -> None:
    """Stored once per supply and lot; due at 09:00 local on the lot's first day inside the warning period."""
    due = max(clock.now(), at_local(expires_on - timedelta(days=warning_days), parse_hhmm(CHECK_TIME)))
    await schedule(
        db,
        job_id=f"{KIND}:{supply_id}:{expires_on.isoformat()}",
        kind=KIND,
        due_at=due,
        payload={"supply_id": supply_id, "expires_on": expires_on.isoformat()},
        clock=clock,
    )


async def check(context: JobContext) -> None:
    """Job handler: warn when the lot is still in stock, once (guarded by the marker the warning sets)."""
    db, clock = context.db, context.clock
    supply_id, expires_on = context.payload["supply_id"], context.payload["expires_on"]
    supply = await db[COLLECTION].find_one({"_id": supply_id})
    if supply is None or lots.held(supply["lots"], expires_on) == 0:
        return  # used up or disposed of before it expired
    marker = f"expiry_warned.{expires_on}"
    data = events.SupplyAlarm(
        supply_id=supply_id,
        community_code=supply["community_code"],
        venue_id=supply.get("venue_id"),
        item=supply["item"],
        quantity=lots.held(supply["lots"], expires_on),
        minimum=supply["minimum"],
        expires_on=date.fromisoformat(expires_on),
        at=clock.now(),
    )
    event = make_event(
        events.EXPIRING, source=SOURCE, key=supply_id, data=data, clock=clock, event_id=f"{context.job['_id']}:expiring"
    )
    update = with_events({"$set": {marker: clock.now()}}, [event], clock=clock)
    await update_guarded(db[COLLECTION], supply_id, {marker: {"$exists": False}}, update)


JOB = JobKind(KIND, check, max_attempts=10)
