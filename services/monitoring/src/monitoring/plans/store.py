"""The plans collection: its indexes, the one-open-plan-per-person key, and writes that carry plan events."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.clock import Clock
from gridline.events import Event, EventSpec
from gridline.mongo import Database, Index, update_guarded
from gridline.outbox import make_event, with_events

COLLECTION = "plans"
SOURCE = "/gridline/monitoring"
INDEXES = [
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("status", 1), ("_id", 1))),
    Index(COLLECTION, (("person_id", 1), ("_id", 1))),
    Index(COLLECTION, (("person_id", 1), ("person_version", 1))),
    Index(COLLECTION, (("grid_id", 1), ("status", 1), ("_id", 1))),
    Index(COLLECTION, (("grid_id", 1), ("status", 1), ("nat_dates", 1), ("_id", 1))),
    Index(COLLECTION, (("community_code", 1), ("status", 1), ("_id", 1))),
    # A person has at most one open plan: an open plan's key is the person, a closed one's its own id.
    Index(COLLECTION, (("open_key", 1),), unique=True),
]


def closed_key(plan_id: str) -> str:
    return f"closed:{plan_id}"


async def open_plan_of(*, db: Database, person_id: str) -> dict[str, Any] | None:
    return await db[COLLECTION].find_one({"open_key": person_id})


def plan_event(
    spec: EventSpec,
    plan: dict[str, Any],
    *,
    clock: Clock,
    cause: Event | None = None,
    consumer: str = "",
    event_id: str | None = None,
    **extra: Any,
) -> Event:
    """An event about `plan` as it stands after the change (its payload is the whole plan, as agreed)."""
    data = spec.data_model.model_validate({**payload(plan), **extra})
    return make_event(
        spec,
        source=SOURCE,
        key=plan["_id"],
        data=data,
        clock=clock,
        cause=cause,
        consumer=f"{consumer}:{plan['_id']}" if cause else consumer,
        event_id=event_id,
    )


def payload(plan: dict[str, Any]) -> dict[str, Any]:
    return {
        "plan_id": plan["_id"],
        "person_id": plan["person_id"],
        "community_code": plan["community_code"],
        "grid_id": plan["grid_id"],
        "measure": plan["measure"],
        "starts_on": date.fromisoformat(plan["starts_on"]),
        "first_day": date.fromisoformat(plan.get("first_day") or plan["starts_on"]),
        "ends_on": date.fromisoformat(plan["ends_on"]),
        "checkins_per_day": plan["checkins_per_day"],
        "nat_dates": [date.fromisoformat(d) for d in plan["nat_dates"]],
        "status": plan["status"],
        "version": plan["version"],
        "stages": plan["stages"],
        "rule_set_id": plan.get("rule_set_id"),
        "rule_set_version": plan.get("rule_set_version"),
        "rule_id": plan.get("rule_id"),
    }


def after(plan: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The plan as a guarded write of `fields` leaves it (version moved on by one)."""
    return {**plan, **fields, "version": plan["version"] + 1}


def closing(plan: dict[str, Any], *, status: str, reason: str, clock: Clock) -> dict[str, Any]:
    """Fields that close a plan and free the person's open-plan key."""
    return {"status": status, "open_key": closed_key(plan["_id"]), "closed_at": clock.now(), "close_reason": reason}


async def write(
    *, db: Database, clock: Clock, plan: dict[str, Any], fields: dict[str, Any], outgoing: list[Event]
) -> bool:
    """Apply `fields` and their events in one write, if nobody changed the plan since it was read."""
    update: dict[str, Any] = {"$inc": {"version": 1}}
    if fields:
        update["$set"] = fields
    return await update_guarded(
        db[COLLECTION], plan["_id"], {"version": plan["version"]}, with_events(update, outgoing, clock=clock)
    )
