"""Opening a request, whichever way it came in: deadlines set, timers stored, a helper found where configured.

One insert stores the request with its `request.opened` event (and `request.assigned` when dispatched
automatically). Its id is given by the caller: derived from an Idempotency-Key or from the causing event,
so a retry or a redelivery inserts the same id, collides, and returns the first request.
"""

from __future__ import annotations

from typing import Any

from gridline.clock import Clock
from gridline.events import Event
from gridline.idempotency import check_replay, stamp
from gridline.mongo import Database, DuplicateKeyError
from gridline.outbox import new_document
from pydantic import BaseModel

from care.dispatch import service as dispatch
from care.helpers import load
from care.requests import deadlines, events
from care.requests.documents import COLLECTION, Draft, assignee, event, history, new_request, opened_data
from care.settings import CareSettings
from care.vocabulary import CLOSED, Status

DISPATCHER = "dispatch"


async def open_request(
    *,
    db: Database,
    clock: Clock,
    settings: CareSettings,
    draft: Draft,
    request_id: str,
    cause: Event | None = None,
    consumer: str = "",
    body: BaseModel | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Open (or, for a repeat, return) the request `request_id`."""
    request = new_request(
        draft, request_id=request_id, deadline=settings.deadline(draft.type, draft.priority), now=clock.now()
    )
    outgoing = [event(events.OPENED, request, opened_data(request), clock=clock, cause=cause, consumer=consumer)]
    if settings.auto_assigns(draft.community_code):
        outgoing += await _dispatch_now(db, clock, request, cause, consumer)
    await deadlines.schedule_for(db=db, clock=clock, request=request)
    if body is not None:
        request = stamp(request, key=idempotency_key, body=body)
    stored = await _insert_once(db, new_document(request, outgoing, clock=clock), body)
    await _count_load(db, stored)
    return stored


async def _dispatch_now(
    db: Database, clock: Clock, request: dict[str, Any], cause: Event | None, consumer: str
) -> list[Event]:
    """Give the request to the best available helper, in the same insert; none available leaves it open."""
    best = await dispatch.suggest(
        db=db, clock=clock, community_code=request["community_code"], request_type=request["type"], limit=1
    )
    if not best:
        return []
    helper = best[0]
    request |= {"assignee": assignee(helper), "status": Status.ASSIGNED.value}
    request["history"].append(history(clock.now(), DISPATCHER, "assign", Status.ASSIGNED, helper_id=helper["_id"]))
    data = events.RequestAssigned(
        request_id=request["_id"],
        community_code=request["community_code"],
        helper_id=helper["_id"],
        at=clock.now(),
        automatic=True,
    )
    return [event(events.ASSIGNED, request, data, clock=clock, cause=cause, consumer=consumer)]


async def _insert_once(db: Database, document: dict[str, Any], body: BaseModel | None) -> dict[str, Any]:
    try:
        await db[COLLECTION].insert_one(document)
        return document
    except DuplicateKeyError:
        existing = await db[COLLECTION].find_one({"_id": document["_id"]})
        if existing is None:
            raise
        if body is not None:
            check_replay(existing, body)
        return existing


async def _count_load(db: Database, request: dict[str, Any]) -> None:
    """Count an automatic assignment against its helper (again after a retry: it counts once)."""
    helper = request.get("assignee")
    if helper and request["status"] not in CLOSED:
        await load.take(db=db, helper_id=helper["helper_id"], request_id=request["_id"], at=request["opened_at"])
