"""The community duty desk's public phone: set by the community, announced on `duty.roster.v1`."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid
from gridline.mongo import Database, DuplicateKeyError, Index, update_guarded
from gridline.outbox import make_event, new_document, with_events

from duty.access import require_covers
from duty.phones import validate_public_phone
from duty.rosters import events
from duty.rosters.models import DutyDeskRead, DutyDeskUpdate

COLLECTION = "duty_desks"
INDEXES = [Index(COLLECTION, (("scope", 1), ("_id", 1)))]
SOURCE = "/gridline/duty"


async def set_phone(
    *, db: Database, clock: Clock, principal: Principal, community_code: str, body: DutyDeskUpdate
) -> dict[str, Any]:
    """Create or change the desk's number: one write per change, guarded by the version read."""
    scope = require_covers(principal, community_code, what="community")
    try:
        phone = validate_public_phone(body.duty_phone)
    except ValueError as exc:
        raise Invalid("duty_phone", str(exc)) from exc
    now = clock.now()
    event = make_event(
        events.DUTY_DESK_UPDATED,
        source=SOURCE,
        key=community_code,
        clock=clock,
        data=events.DutyDeskUpdated(community_code=community_code, duty_phone=phone, at=now),
    )
    current = await db[COLLECTION].find_one({"_id": community_code})
    if current is None:
        document = {"_id": community_code, "scope": scope, "duty_phone": phone, "version": 1, "updated_at": now}
        try:
            await db[COLLECTION].insert_one(new_document(document, [event], clock=clock))
        except DuplicateKeyError as exc:
            raise Conflict("值班电话刚被他人修改，请重试") from exc
        return document
    update = {"$set": {"duty_phone": phone, "updated_at": now}, "$inc": {"version": 1}}
    if not await update_guarded(
        db[COLLECTION], community_code, {"version": current["version"]}, with_events(update, [event], clock=clock)
    ):
        raise Conflict("值班电话刚被他人修改，请重试")
    return {**current, "duty_phone": phone, "updated_at": now, "version": current["version"] + 1}


async def phone_of(*, db: Database, community_code: str) -> str | None:
    desk = await db[COLLECTION].find_one({"_id": community_code}, {"duty_phone": 1})
    return desk["duty_phone"] if desk else None


def to_read(doc: dict[str, Any]) -> DutyDeskRead:
    return DutyDeskRead(
        community_code=doc["_id"], duty_phone=doc["duty_phone"], version=doc["version"], updated_at=doc["updated_at"]
    )
