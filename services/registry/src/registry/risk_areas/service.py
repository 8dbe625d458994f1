"""Declaring and lifting medium- and high-risk areas. Re-classification follows from their events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gridline.auth import Principal, Role
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, Index, update_guarded
from gridline.outbox import make_event, new_document, with_events

from registry import divisions
from registry.risk_areas import events
from registry.risk_areas.models import RiskAreaDeclare, RiskAreaLift, RiskAreaRead
from registry.rules.snapshot import RISK_AREAS

COLLECTION = RISK_AREAS
INDEXES = [Index(COLLECTION, (("division_code", 1),)), Index(COLLECTION, (("lifted_at", 1),))]
SOURCE = "/gridline/registry"


async def declare(
    *, db: Database, clock: Clock, principal: Principal, body: RiskAreaDeclare, area_id: str, key: str | None
) -> dict[str, Any]:
    """Declare an area; the event it carries starts the re-classification of the people it touches."""
    _check_may_manage(principal, body.division_code)
    declared_at = body.declared_at or clock.now()
    area = {
        "_id": area_id,
        "division_code": body.division_code,
        "level": body.level.value,
        "declared_at": declared_at,
        "lifted_at": None,
        "reason": body.reason,
        "declared_by": principal.subject,
        "version": 1,
    }
    event = make_event(
        events.DECLARED,
        source=SOURCE,
        key=area_id,
        clock=clock,
        data=events.RiskAreaDeclared(
            risk_area_id=area_id,
            division_code=body.division_code,
            level=body.level.value,
            declared_at=declared_at,
            reason=body.reason,
        ),
    )
    document = new_document(stamp(area, key=key, body=body), [event], clock=clock)
    return await insert_once(db[COLLECTION], document, body=body)


async def lift(*, db: Database, clock: Clock, principal: Principal, area_id: str, body: RiskAreaLift) -> dict[str, Any]:
    area = await db[COLLECTION].find_one({"_id": area_id})
    if area is None:
        raise NotFound("risk area")
    _check_may_manage(principal, area["division_code"])
    if area["lifted_at"] is not None:
        raise Conflict("该风险区已解除", lifted_at=area["lifted_at"].isoformat())
    lifted_at = body.lifted_at or clock.now()
    event = make_event(
        events.LIFTED,
        source=SOURCE,
        key=area_id,
        clock=clock,
        data=events.RiskAreaLifted(
            risk_area_id=area_id, division_code=area["division_code"], level=area["level"], lifted_at=lifted_at
        ),
    )
    lifted_now = await update_guarded(
        db[COLLECTION],
        area_id,
        {"lifted_at": None},  # the guard makes a concurrent second lift a no-op
        with_events({"$set": {"lifted_at": lifted_at}, "$inc": {"version": 1}}, [event], clock=clock),
    )
    if not lifted_now:
        raise Conflict("该风险区已解除")
    lifted = await db[COLLECTION].find_one({"_id": area_id})
    assert lifted is not None
    return lifted


async def list_page(*, db: Database, active_only: bool, page: PageParams) -> Page[RiskAreaRead]:
    query: dict[str, Any] = {"lifted_at": None} if active_only else {}
    return await paginate(db[COLLECTION], query, page, to_read)


def _check_may_manage(principal: Principal, division_code: str) -> None:
    """Platform admins declare anywhere (origins lie elsewhere); county officers inside their county."""
    try:
        divisions.county_known(division_code[:6])
    except ValueError as exc:
        raise Invalid("division_code", str(exc)) from exc
    if Role.PLATFORM_ADMIN in principal.roles:
        return
    if not principal.covers_division(division_code):
        raise NotFound("division")


def to_read(doc: dict[str, Any]) -> RiskAreaRead:
    lifted: datetime | None = doc.get("lifted_at")
    return RiskAreaRead(
        id=doc["_id"],
        division_code=doc["division_code"],
        level=doc["level"],
        declared_at=doc["declared_at"],
        lifted_at=lifted,
        reason=doc.get("reason", ""),
        status="lifted" if lifted else "declared",
    )
