"""The check-in collection: one document per plan, day and slot, holding the current result and its history.

The slot is the document's id, so "one result per person per slot per day" is the database's own unique
key: two writers of one slot collide instead of both succeeding, and the cut-off marking a slot missed
collides with a check-in landing at the same moment. `first_checkin_id`, the id of the slot's first result
(the slot's own id while it has none), is unique too: a request stored once is never stored in a second
slot, whichever day its retry arrives (see `recording`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.mongo import Database, GuardedUpdate, Index, read, update_each_guarded

from monitoring.checkins.models import AlertRef, CheckinRead, ResultRead

COLLECTION = "checkins"
FIRST_RESULTS = "one_slot_per_first_checkin"
MIGRATION_BATCH = 1000
INDEXES = [
    Index(COLLECTION, (("first_checkin_id", 1),), unique=True, name=FIRST_RESULTS),
    Index(COLLECTION, (("checkin_ids", 1),)),
    Index(COLLECTION, (("plan_id", 1), ("_id", 1))),
    Index(COLLECTION, (("person_id", 1), ("_id", 1))),
    Index(COLLECTION, (("grid_id", 1), ("day", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("day", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
]
HIDDEN = {"_outbox": 0, "_outbox_at": 0}


def slot_id(plan_id: str, day: str, slot: int) -> str:
    return f"{plan_id}:{day}:{slot}"


def base_document(plan: dict[str, Any], day: str, slot: int) -> dict[str, Any]:
    """The fields every slot document of `plan` on `day` carries, whoever writes it first."""
    return {
        "_id": slot_id(plan["_id"], day, slot),
        "plan_id": plan["_id"],
        "person_id": plan["person_id"],
        "community_code": plan["community_code"],
        "grid_id": plan["grid_id"],
        "scope": plan["scope"],
        "day": day,
        "slot": slot,
        "final": slot == plan["checkins_per_day"],
        "first_checkin_id": slot_id(plan["_id"], day, slot),  # until a first result names it
        "version": 1,
    }


async def name_first_results(db: Database) -> None:
    """Give slots stored before `first_checkin_id` existed their first result's id (or their own), once.

    Runs before the indexes are built: their unique index would refuse the slots that lack the field. Once
    that index exists every slot has the field, so later starts only list the indexes. It walks the slots
    in `_id` order, a batch at a time, so a start interrupted midway resumes where the field is missing."""
    checkins = db[COLLECTION]
    if FIRST_RESULTS in await checkins.index_information():
        return
    after: dict[str, Any] = {}
    while True:
        unnamed = {**after, "first_checkin_id": {"$exists": False}}
        cursor = checkins.find(unnamed, {"current": 1, "history": 1}).sort("_id", 1).limit(MIGRATION_BATCH)
        batch = await read(cursor, MIGRATION_BATCH)
        if not batch:
            return
        named = [GuardedUpdate(d["_id"], {}, {"$set": {"first_checkin_id": _first_result_id(d)}}) for d in batch]
        await update_each_guarded(checkins, named)
        after = {"_id": {"$gt": batch[-1]["_id"]}}


def _first_result_id(slot: dict[str, Any]) -> Any:
    first = (slot.get("history") or [slot.get("current") or {}])[0]
    return first.get("checkin_id", slot["_id"])


def to_read(doc: dict[str, Any]) -> CheckinRead:
    current = doc.get("current")
    return CheckinRead(
        slot_id=doc["_id"],
        plan_id=doc["plan_id"],
        person_id=doc["person_id"],
        community_code=doc["community_code"],
        grid_id=doc["grid_id"],
        day=date.fromisoformat(doc["day"]),
        slot=doc["slot"],
        state=doc["state"],
        result=result_read(current) if current else None,
        corrections=len(doc.get("history", [])),
    )


def result_read(result: dict[str, Any]) -> ResultRead:
    return ResultRead(
        checkin_id=result["checkin_id"],
        method=result["method"],
        temperature_c=result.get("temperature_c"),
        symptoms=result.get("symptoms", []),
        has_note=result.get("note") is not None,
        health_code=result.get("health_code"),
        nat_result=result.get("nat_result"),
        abnormal=result.get("abnormal", False),
        alerts=[AlertRef.model_validate(a) for a in result.get("alerts", [])],
        late=result.get("late", False),
        corrects=result.get("corrects"),
        recorded_at=result["recorded_at"],
        recorded_by=result["recorded_by"],
    )
