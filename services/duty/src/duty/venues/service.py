"""Venues: registered and changed with their `duty.venue.v1` events in the same write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, read, update_guarded
from gridline.outbox import make_event, new_document, with_events

from duty.access import require_covers, scoped_indexes, scoped_query
from duty.phones import validate_public_phone
from duty.venues import events
from duty.venues.models import Responsible, VenueCreate, VenueRead, VenueUpdate

COLLECTION = "venues"
INDEXES = scoped_indexes(COLLECTION)
SOURCE = "/gridline/duty"


async def create(
    *, db: Database, clock: Clock, principal: Principal, body: VenueCreate, venue_id: str, key: str | None
) -> dict[str, Any]:
    scope = require_covers(principal, body.community_code, what="community")
    document = {
        "_id": venue_id,
        "community_code": body.community_code,
        "scope": scope,
        "name": body.name,
        "kind": body.kind.value,
        "capacity": body.capacity,
        **_responsible(body.responsible),
        "active": True,
        "version": 1,
        "created_at": clock.now(),
        "created_by": principal.subject,
    }
    event = _event(events.REGISTERED, document, clock=clock)
    document = stamp(document, key=key, body=body)
    return await insert_once(db[COLLECTION], new_document(document, [event], clock=clock), body=body)


async def update(
    *, db: Database, clock: Clock, principal: Principal, venue_id: str, body: VenueUpdate
) -> dict[str, Any]:
    venue = await get(db=db, principal=principal, venue_id=venue_id)
    if body.version is not None and body.version != venue["version"]:
        raise Conflict("该场所已被他人修改，请刷新后重试", current_version=venue["version"])
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"version", "responsible"})
    if body.responsible is not None:
        changes |= _responsible(body.responsible)
    after = {**venue, **changes, "version": venue["version"] + 1}
    update_doc = with_events(
        {"$set": changes, "$inc": {"version": 1}}, [_event(events.UPDATED, after, clock=clock)], clock=clock
    )
    if not await update_guarded(db[COLLECTION], venue_id, {"version": venue["version"]}, update_doc):
        raise Conflict("该场所已被他人修改，请刷新后重试")
    return after


def _responsible(person: Responsible) -> dict[str, Any]:
    try:
        phone = validate_public_phone(person.work_phone) if person.work_phone else None
    except ValueError as exc:
        raise Invalid("responsible.work_phone", str(exc)) from exc
    return {"responsible_name": person.name, "responsible_phone": phone}


def _event(spec: Any, venue: dict[str, Any], *, clock: Clock) -> Any:
    data = events.VenueChanged(
        venue_id=venue["_id"],
        community_code=venue["community_code"],
        name=venue["name"],
        kind=venue["kind"],
        capacity=venue["capacity"],
        active=venue["active"],
        version=venue["version"],
    )
    return make_event(spec, source=SOURCE, key=venue["_id"], data=data, clock=clock)


async def find(*, db: Database, venue_id: str) -> dict[str, Any] | None:
    """A venue regardless of jurisdiction, for the service's own rules (routing, plan matching)."""
    venue: dict[str, Any] | None = await db[COLLECTION].find_one({"_id": venue_id}, {"_outbox": 0})
    return venue


async def find_many(*, db: Database, venue_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """As `find` for each of `venue_ids` (those that exist, by id), in one read."""
    if not venue_ids:
        return {}
    found = await read(db[COLLECTION].find({"_id": {"$in": list(venue_ids)}}, {"_outbox": 0}), len(venue_ids))
    return {venue["_id"]: venue for venue in found}


async def get(*, db: Database, principal: Principal, venue_id: str) -> dict[str, Any]:
    venue = await db[COLLECTION].find_one({"_id": venue_id, **principal.scope_filter()})
    if venue is None:
        raise NotFound("venue")
    return venue


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, page: PageParams
) -> Page[VenueRead]:
    return await paginate(db[COLLECTION], scoped_query(principal, community_code), page, to_read, {"_outbox": 0})


def to_read(doc: dict[str, Any]) -> VenueRead:
    return VenueRead(
        id=doc["_id"],
        community_code=doc["community_code"],
        name=doc["name"],
        kind=doc["kind"],
        capacity=doc["capacity"],
        responsible=Responsible(name=doc["responsible_name"], work_phone=doc.get("responsible_phone")),
        active=doc["active"],
        version=doc["version"],
        created_at=doc["created_at"],
    )
