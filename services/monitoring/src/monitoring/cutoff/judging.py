"""Judging one community's day at its cut-off.

For each active plan page: every slot without a result gets a `missed` document carrying `checkin.missed`
(inserted by the slot's id, so it collides with a check-in landing at the same moment and a slot is missed
at most once); then each plan that missed the day, ends, or enters a new stage gets one guarded write
carrying its events (a `missed_checkins` alert, `plan.completed`, `plan.changed`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from gridline.clock import Clock
from gridline.events import Event, derived_id
from gridline.mongo import ASCENDING, Database, insert_new, read
from gridline.outbox import make_event, new_document

from monitoring.checkins import events as checkin_events
from monitoring.checkins.store import COLLECTION as CHECKINS
from monitoring.checkins.store import base_document, slot_id
from monitoring.cutoff import closing
from monitoring.cutoff.tally import DayTally, streak_on
from monitoring.plans.store import COLLECTION as PLANS
from monitoring.rules.models import MonitoringRules

PAGE = 200
CONSUMER = "monitoring.cutoff"
SOURCE = "/gridline/monitoring"
Checkpoint = Callable[[dict[str, Any]], Awaitable[None]]


async def judge_day(
    *, db: Database, clock: Clock, rules: MonitoringRules, community_code: str, day: str, checkpoint: Checkpoint
) -> DayTally:
    tally, after = DayTally(), ""
    while True:
        query: dict[str, Any] = {"community_code": community_code, "status": "active", "_id": {"$gt": after}}
        plans = await read(db[PLANS].find(query, {"_outbox": 0}).sort("_id", ASCENDING).limit(PAGE), PAGE)
        if not plans:
            return tally
        await _judge_page(db, clock, rules, day, [p for p in plans if p["first_day"] <= day], tally)
        tally.still_open += sum(p["ends_on"] > day for p in plans)
        after = plans[-1]["_id"]
        await checkpoint({"day": day, "after": after, "judged": tally.judged})


async def _judge_page(
    db: Database, clock: Clock, rules: MonitoringRules, day: str, plans: list[dict[str, Any]], tally: DayTally
) -> None:
    within = [p for p in plans if day <= p["ends_on"]]
    states = await _slot_states(db, within, day)
    missing = [doc for p in within for doc in _missing(p, day, states, clock)]
    states.update(await _insert_missed(db, missing))
    judged = {p["_id"] for p in within}
    for plan in plans:
        missed = plan["_id"] in judged and _count(plan, day, states, tally)
        await closing.close_plan_day(db=db, clock=clock, rules=rules, plan=plan, day=day, missed=missed)


async def _slot_states(db: Database, plans: list[dict[str, Any]], day: str) -> dict[str, str]:
    ids = [slot_id(p["_id"], day, s) for p in plans for s in range(1, p["checkins_per_day"] + 1)]
    if not ids:
        return {}
    found = await read(db[CHECKINS].find({"_id": {"$in": ids}}, {"state": 1}), None)
    return {d["_id"]: d["state"] for d in found}


def _missing(plan: dict[str, Any], day: str, states: dict[str, str], clock: Clock) -> list[dict[str, Any]]:
    """Missed-slot documents for every slot of `plan` with no document yet, each with its event."""
    docs = []
    for slot in range(1, plan["checkins_per_day"] + 1):
        if slot_id(plan["_id"], day, slot) in states:
            continue
        doc = {
            **base_document(plan, day, slot),
            "state": "missed",
            "has_result": False,
            "current": None,
            "history": [],
            "checkin_ids": [],
            "missed_at": clock.now(),
        }
        docs.append(new_document(doc, [_missed_event(plan, day, slot, clock)], clock=clock))
    return docs


def _missed_event(plan: dict[str, Any], day: str, slot: int, clock: Clock) -> Event:
    data = checkin_events.CheckinMissed(
        plan_id=plan["_id"],
        person_id=plan["person_id"],
        community_code=plan["community_code"],
        grid_id=plan["grid_id"],
        day=date.fromisoformat(day),
        slot=slot,
        consecutive_missed_days=streak_on(plan, day),
    )
    event_id = derived_id(CONSUMER, slot_id(plan["_id"], day, slot), checkin_events.MISSED.type)
    return make_event(checkin_events.MISSED, source=SOURCE, key=plan["_id"], data=data, clock=clock, event_id=event_id)


async def _insert_missed(db: Database, docs: list[dict[str, Any]]) -> dict[str, str]:
    """Insert the missed slots; a slot that collides was filled meanwhile (or marked by a rerun): read it."""
    if not docs:
        return {}
    if not await insert_new(db[CHECKINS], docs):
        return {d["_id"]: "missed" for d in docs}
    found = await read(db[CHECKINS].find({"_id": {"$in": [d["_id"] for d in docs]}}, {"state": 1}), None)
    return {d["_id"]: d["state"] for d in found}


def _count(plan: dict[str, Any], day: str, states: dict[str, str], tally: DayTally) -> bool:
    """Note the plan's day as judged; True when any of its slots was missed."""
    tally.grids.add(plan["grid_id"])
    tally.judged += 1
    return any(states.get(slot_id(plan["_id"], day, s)) == "missed" for s in range(1, plan["checkins_per_day"] + 1))
