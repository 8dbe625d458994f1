"""Supplies: each item of a store is one document; every movement is one version-guarded write with its events.

Falling below the minimum emits `supply.below_minimum` once per fall (the flag it sets re-arms when stock
is back at or above the minimum); duty's own consumer of that event opens the incident.
"""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.events import Event
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, DuplicateKeyError, update_guarded
from gridline.outbox import make_event, with_events

from duty.access import require_covers, scoped_query
from duty.supplies import events, expiry, lots
from duty.supplies.models import MovementCreate, MovementKind, SupplyCreate, SupplyRead, SupplyUpdate
from duty.supplies.store import COLLECTION
from duty.venues import service as venues

SOURCE = "/gridline/duty"
# Movements remembered on the supply so a retry is recognised: far more than a phone retries in between.
RECENT_MOVEMENTS = 50


async def create(
    *, db: Database, clock: Clock, principal: Principal, body: SupplyCreate, supply_id: str, key: str | None
) -> dict[str, Any]:
    scope = require_covers(principal, body.community_code, what="community")
    if body.venue_id is not None:
        venue = await venues.find(db=db, venue_id=body.venue_id)
        if venue is None or venue["community_code"] != body.community_code:
            raise Invalid("venue_id", "该场所不属于此社区")
    document = {
        "_id": supply_id,
        "community_code": body.community_code,
        "venue_id": body.venue_id,
        "venue_key": body.venue_id or "",
        "scope": scope,
        "item": body.item,
        "unit": body.unit,
        "quantity": 0,
        "minimum": body.minimum,
        "below_minimum": False,
        "lots": [],
        "version": 1,
        "updated_at": clock.now(),
    }
    try:
        return await insert_once(db[COLLECTION], stamp(document, key=key, body=body), body=body)
    except DuplicateKeyError as exc:
        existing = await db[COLLECTION].find_one(
            {"community_code": body.community_code, "venue_key": document["venue_key"], "item": body.item}, {"_id": 1}
        )
        raise Conflict("此处已登记该物资", existing_id=existing["_id"] if existing else None) from exc


async def get(*, db: Database, principal: Principal, supply_id: str) -> dict[str, Any]:
    supply = await db[COLLECTION].find_one({"_id": supply_id, **principal.scope_filter()})
    if supply is None:
        raise NotFound("supply")
    return supply


async def record_movement(
    *,
    db: Database,
    clock: Clock,
    principal: Principal,
    supply_id: str,
    body: MovementCreate,
    movement_id: str,
    warning_days: int,
) -> dict[str, Any]:
    """Apply one movement; a retry of a recent one (same Idempotency-Key) returns the supply unchanged."""
    supply = await get(db=db, principal=principal, supply_id=supply_id)
    if movement_id in supply.get("recent_movements", []):
        return supply  # a retried request (same Idempotency-Key): recorded already
    try:
        after_lots = (
            lots.received(supply["lots"], body.quantity, body.expires_on)
            if body.kind is MovementKind.RECEIVED
            else lots.taken(
                supply["lots"], body.quantity, body.expires_on if body.kind is MovementKind.DISPOSED else None
            )
        )
    except lots.NotEnoughStock as exc:
        raise Invalid("quantity", str(exc)) from exc
    recent = [*supply.get("recent_movements", []), movement_id][-RECENT_MOVEMENTS:]
    after = {**supply, "lots": after_lots, "quantity": lots.total(after_lots), "recent_movements": recent}
    moved = _stock_moved(after, body=body, movement_id=movement_id, by=principal.subject, clock=clock)
    after = await _write(db=db, clock=clock, before=supply, after=after, extra=[moved])
    if body.kind is MovementKind.RECEIVED and body.expires_on is not None:
        await expiry.schedule_check(
            db=db, clock=clock, supply_id=supply_id, expires_on=body.expires_on, warning_days=warning_days
        )
    return after


async def set_minimum(
    *, db: Database, clock: Clock, principal: Principal, supply_id: str, body: SupplyUpdate
) -> dict[str, Any]:
    supply = await get(db=db, principal=principal, supply_id=supply_id)
    if body.version is not None and body.version != supply["version"]:
        raise Conflict("该物资已被他人修改，请刷新后重试", current_version=supply["version"])
    return await _write(db=db, clock=clock, before=supply, after={**supply, "minimum": body.minimum}, extra=[])


async def _write(
    *, db: Database, clock: Clock, before: dict[str, Any], after: dict[str, Any], extra: list[Event]
) -> dict[str, Any]:
    """Store the new stock and minimum with their events, raising the alarm when stock falls below the minimum."""
    below = after["quantity"] < after["minimum"]
    alarms = [_alarm(events.BELOW_MINIMUM, after, clock=clock)] if below and not before["below_minimum"] else []
    after = {**after, "below_minimum": below, "version": before["version"] + 1, "updated_at": clock.now()}
    fields = ("lots", "quantity", "minimum", "below_minimum", "updated_at", "recent_movements")
    changes = {f: after[f] for f in fields if f in after}
    update = with_events({"$set": changes, "$inc": {"version": 1}}, [*extra, *alarms], clock=clock)
    if not await update_guarded(db[COLLECTION], before["_id"], {"version": before["version"]}, update):
        raise Conflict("该物资刚被他人修改，请重试")
    return after


def _alarm(spec: Any, supply: dict[str, Any], *, clock: Clock, expires_on: Any = None) -> Event:
    data = events.SupplyAlarm(
        supply_id=supply["_id"],
        community_code=supply["community_code"],
        venue_id=supply.get("venue_id"),
        item=supply["item"],
        quantity=supply["quantity"],
        minimum=supply["minimum"],
        expires_on=expires_on,
        at=clock.now(),
    )
    return make_event(spec, source=SOURCE, key=supply["_id"], data=data, clock=clock)


def _stock_moved(supply: dict[str, Any], *, body: MovementCreate, movement_id: str, by: str, clock: Clock) -> Event:
    data = events.StockMoved(
        supply_id=supply["_id"],
        movement_id=movement_id,
        community_code=supply["community_code"],
        venue_id=supply.get("venue_id"),
        item=supply["item"],
        kind=body.kind.value,
        quantity=body.quantity,
        expires_on=body.expires_on,
        quantity_after=supply["quantity"],
        by=by,
        at=clock.now(),
    )
    return make_event(
        events.STOCK_MOVED, source=SOURCE, key=supply["_id"], data=data, clock=clock, event_id=f"{movement_id}:moved"
    )


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, page: PageParams
) -> Page[SupplyRead]:
    return await paginate(db[COLLECTION], scoped_query(principal, community_code), page, to_read, {"_outbox": 0})


def to_read(doc: dict[str, Any]) -> SupplyRead:
    return SupplyRead(
        id=doc["_id"],
        community_code=doc["community_code"],
        venue_id=doc.get("venue_id"),
        item=doc["item"],
        unit=doc["unit"],
        quantity=doc["quantity"],
        minimum=doc["minimum"],
        below_minimum=doc["below_minimum"],
        lots=doc["lots"],
        version=doc["version"],
        updated_at=doc["updated_at"],
    )
