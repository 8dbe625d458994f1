"""Today's worklist for one grid, from two indexed reads per page and three indexed counts.

The page is the grid's open plans in id order; today's slots of exactly those plans are read by id in one
query, so the list costs the same whatever the grid's history, and nothing is read per person.
"""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock, local_today
from gridline.http.pagination import PageParams, paginate
from gridline.mongo import Database, read

from monitoring.checkins.store import COLLECTION as CHECKINS
from monitoring.checkins.store import slot_id
from monitoring.plans.store import COLLECTION as PLANS
from monitoring.upserts import upsert_by_id
from monitoring.worklist.models import WorkCounts, WorkItem, Worklist, WorkState

PERSONS = "person_names"  # masked names as registry publishes them, so a worker recognises whom to call


async def today(
    *, db: Database, clock: Clock, principal: Principal, grid_id: str, state: WorkState, page: PageParams
) -> Worklist:
    day = local_today(clock).isoformat()
    base = {"grid_id": grid_id, "status": "active", **principal.scope_filter()}
    query = {**base, "nat_dates": day} if state == WorkState.NAT_DUE else {**base, "first_day": {"$lte": day}}
    plans = await paginate(db[PLANS], query, page, lambda doc: doc, projection={"_outbox": 0})
    slots = await _slots(db, plans.items, day)
    names = await _names(db, [p["person_id"] for p in plans.items])
    items = [_item(p, day, slots, names) for p in plans.items]
    if state == WorkState.PENDING:
        items = [i for i in items if not i.done]
    elif state == WorkState.DONE:
        items = [i for i in items if i.done]
    return Worklist(
        grid_id=grid_id,
        day=local_today(clock),
        counts=await _counts(db, base, principal, grid_id, day),
        items=items,
        next_cursor=plans.next_cursor,
    )


async def _slots(db: Database, plans: list[dict[str, Any]], day: str) -> dict[str, dict[str, Any]]:
    ids = [slot_id(p["_id"], day, s) for p in plans for s in range(1, p["checkins_per_day"] + 1)]
    if not ids:
        return {}
    found = await read(db[CHECKINS].find({"_id": {"$in": ids}}, {"current": 1, "has_result": 1}), None)
    return {d["_id"]: d for d in found}


async def _names(db: Database, person_ids: list[str]) -> dict[str, str]:
    if not person_ids:
        return {}
    found = await read(db[PERSONS].find({"_id": {"$in": person_ids}}), None)
    return {d["_id"]: d["name_masked"] for d in found}


async def _counts(db: Database, base: dict[str, Any], principal: Principal, grid_id: str, day: str) -> WorkCounts:
    must = await db[PLANS].count_documents({**base, "first_day": {"$lte": day}})
    nat_due = await db[PLANS].count_documents({**base, "nat_dates": day})
    # Slots fill in order, so a plan is done for the day when its last slot has a result.
    done_query = {"grid_id": grid_id, "day": day, "final": True, "has_result": True, **principal.scope_filter()}
    done = await db[CHECKINS].count_documents(done_query)
    return WorkCounts(must_check_in=must, done=done, not_done=max(0, must - done), nat_due=nat_due)


def _item(plan: dict[str, Any], day: str, slots: dict[str, dict[str, Any]], names: dict[str, str]) -> WorkItem:
    mine = [slots[k] for s in range(1, plan["checkins_per_day"] + 1) if (k := slot_id(plan["_id"], day, s)) in slots]
    results = [s["current"] for s in mine if s.get("current")]
    streak = plan.get("missed_streak") or {}
    return WorkItem(
        plan_id=plan["_id"],
        person_id=plan["person_id"],
        name_masked=names.get(plan["person_id"]),
        measure=plan["measure"],
        ends_on=plan["ends_on"],
        checkins_per_day=plan["checkins_per_day"],
        slots_done=len(results),
        done=len(results) >= plan["checkins_per_day"],
        nat_due=day in plan["nat_dates"],
        nat_recorded=any(r.get("nat_result") for r in results),
        abnormal_today=any(r.get("abnormal") for r in results),
        last_temperature_c=results[-1].get("temperature_c") if results else None,
        consecutive_missed_days=streak.get("count", 0) if streak.get("last_day") else 0,
    )


async def remember_name(*, db: Database, person_id: str, name_masked: str) -> None:
    await upsert_by_id(db[PERSONS], person_id, {"$set": {"name_masked": name_masked}})
