"""Due visits created from a member's cadence, listed for the visitors, recorded with their outcome."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta
from typing import Any

from gridline import jobs
from gridline.auth import Principal
from gridline.clock import LOCAL_TZ, Clock
from gridline.errors import Conflict, NotFound
from gridline.events import EventData, EventSpec, derived_id
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, DuplicateKeyError, Index, update_guarded
from gridline.outbox import make_event, new_document, with_events

from care.settings import Cadence
from care.visits import events
from care.visits.models import VisitRead, VisitRecord

COLLECTION = "visits"
INDEXES = [
    Index(COLLECTION, (("scope", 1), ("open", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("status", 1), ("_id", 1))),
]
OVERDUE_KIND = "care.visit-overdue"
OPEN = ("due", "overdue")


def visit_id(member_id: str, group: str, due_on: date) -> str:
    return derived_id("care.visits", f"{member_id}|{group}", due_on.isoformat())


def overdue_at(due_on: date, cadence: Cadence) -> datetime:
    """The start of the day after the grace days: the visit had all of its due day and its grace days."""
    return datetime.combine(due_on + timedelta(days=cadence.grace_days + 1), time(0, 0), LOCAL_TZ)


async def create_due(
    *, db: Database, clock: Clock, member: dict[str, Any], group: str, due_on: date, cadence: Cadence
) -> None:
    """The member's visit for `group` on `due_on`, with `visit.due` and its overdue timer; once."""
    visit = {
        "_id": visit_id(member["_id"], group, due_on),
        "member_id": member["_id"],
        "community_code": member["community_code"],
        "grid_id": member["grid_id"],
        "scope": member["scope"],
        "group": group,
        "kind": cadence.kind.value,
        "due_on": due_on.isoformat(),
        "overdue_at": overdue_at(due_on, cadence),
        "status": "due",
        "open": True,
        "needs": [],
        "version": 1,
        "created_at": clock.now(),
    }
    await jobs.schedule(
        db,
        job_id=f"{OVERDUE_KIND}:{visit['_id']}",
        kind=OVERDUE_KIND,
        due_at=visit["overdue_at"],
        payload={"visit_id": visit["_id"]},
        clock=clock,
    )
    with contextlib.suppress(DuplicateKeyError):  # a re-run of the timer that made it
        await db[COLLECTION].insert_one(new_document(visit, [_event(events.DUE, visit, clock, once=True)], clock=clock))


def _event(spec: EventSpec, visit: dict[str, Any], clock: Clock, *, once: bool = False, **extra: Any) -> Any:
    """The visit's event; `once` facts (due, overdue) get an id derived from the visit, the same on any re-run."""
    model: type[EventData] = spec.data_model
    data = model.model_validate(
        {
            "visit_id": visit["_id"],
            "member_id": visit["member_id"],
            "person_id": visit["member_id"],
            "community_code": visit["community_code"],
            "grid_id": visit["grid_id"],
            "group": visit["group"],
            "due_on": visit["due_on"],
            "kind": visit["kind"],
            "at": clock.now(),
            **extra,
        }
    )
    event_id = derived_id("care.visits", visit["_id"], spec.type) if once else None
    return make_event(spec, source=events.SOURCE, key=visit["_id"], data=data, clock=clock, event_id=event_id)


async def list_page(*, db: Database, principal: Principal, status: str | None, page: PageParams) -> Page[VisitRead]:
    """Open visits (due and overdue) in the caller's jurisdiction, or those of one status."""
    query: dict[str, Any] = principal.scope_filter()
    query |= {"status": status} if status else {"open": True}
    return await paginate(db[COLLECTION], query, page, to_read, {"_outbox": 0})


async def record(
    *, db: Database, clock: Clock, principal: Principal, visit_id: str, body: VisitRecord
) -> dict[str, Any]:
    visit = await db[COLLECTION].find_one({"_id": visit_id, **principal.scope_filter()})
    if visit is None:
        raise NotFound("visit")
    if visit["status"] not in OPEN:
        raise Conflict("该走访已登记或已取消", current_status=visit["status"])
    needs = [n.value for n in body.needs]
    changes = {
        "status": "recorded",
        "open": False,
        "outcome": body.outcome.value,
        "method": (body.method.value if body.method else visit["kind"]),
        "needs": needs,
        "notes": body.notes,
        "recorded_by": principal.subject,
        "recorded_at": clock.now(),
    }
    recorded = _event(events.RECORDED, visit, clock, outcome=body.outcome.value, needs=needs)
    update = with_events({"$set": changes, "$inc": {"version": 1}}, [recorded], clock=clock)
    if not await update_guarded(db[COLLECTION], visit_id, {"version": visit["version"]}, update):
        raise Conflict("该走访已被他人更新，请刷新后重试")
    return {**visit, **changes, "version": visit["version"] + 1}


async def mark_overdue(*, db: Database, clock: Clock, visit_id: str, still_in_group: bool) -> None:
    """A visit nobody recorded in time: `visit.overdue`, once; dropped quietly if the member left the group."""
    visit = await db[COLLECTION].find_one({"_id": visit_id})
    if visit is None or visit["status"] != "due":
        return
    if not still_in_group:
        await update_guarded(
            db[COLLECTION], visit_id, {"status": "due"}, {"$set": {"status": "dropped", "open": False}}
        )
        return
    overdue = _event(events.OVERDUE, visit, clock, once=True)
    update = with_events({"$set": {"status": "overdue"}, "$inc": {"version": 1}}, [overdue], clock=clock)
    await update_guarded(db[COLLECTION], visit_id, {"status": "due"}, update)


def to_read(doc: dict[str, Any]) -> VisitRead:
    return VisitRead.model_validate(
        {
            **doc,
            "id": doc["_id"],
            **{k: doc.get(k) for k in ("outcome", "method", "notes", "recorded_by", "recorded_at")},
        }
    )
