"""Monitoring plans as the report sees them: each plan's last state, to turn an event into the change of its days."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.clock import Clock
from gridline.events import Event
from gridline.mongo import Database, DuplicateKeyError, update_guarded

from duty.reports import ledger
from duty.reports.effects import plan_rows, plan_state
from duty.reports.inbound import PlanState

COLLECTION = "report_plans"


async def apply(*, db: Database, clock: Clock, event: Event, data: PlanState, ended_on: date | None) -> None:
    """Count the change an event makes to the plan's days; skip an event applied before (redelivered)."""
    known: dict[str, Any] | None = await db[COLLECTION].find_one({"_id": data.plan_id})
    if known is not None and event.id in known["applied"]:
        return
    after = plan_state(data, ended_on=ended_on)
    rows = plan_rows(known["state"] if known else None, after)
    # Stored before the plan's state moves on: after a crash here, the redelivered event finds the same
    # state before it, makes the same rows, and the ledger and counters take each row once.
    await ledger.record(db=db, clock=clock, event_id=event.id, event_type=event.type, rows=rows)
    if known is None:
        try:
            await db[COLLECTION].insert_one({"_id": data.plan_id, "state": after, "applied": [event.id], "version": 1})
        except DuplicateKeyError as exc:
            raise RuntimeError("plan state written concurrently; retrying") from exc
        return
    update = {"$set": {"state": after}, "$push": {"applied": event.id}, "$inc": {"version": 1}}
    if not await update_guarded(db[COLLECTION], data.plan_id, {"version": known["version"]}, update):
        raise RuntimeError("plan state written concurrently; retrying")
