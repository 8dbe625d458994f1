"""Community settings: the daily cut-off for check-ins and the duty phone; grid managers' work phones."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import NotFound
from gridline.mongo import Database

from monitoring.communities.models import CallRead, CommunitySettingsRead, CommunitySettingsUpdate
from monitoring.days import DEFAULT_CUTOFF
from monitoring.upserts import upsert_by_id

COLLECTION = "communities"
GRIDS = "grid_contacts"


async def settings_of(*, db: Database, community_code: str) -> dict[str, Any]:
    """The stored settings, or the defaults for a community nobody configured yet."""
    doc = await db[COLLECTION].find_one({"_id": community_code})
    return {"_id": community_code, "cutoff_time": DEFAULT_CUTOFF, "duty_phone": None, "version": 0, **(doc or {})}


async def cutoff_time(*, db: Database, community_code: str) -> str:
    cutoff: str = (await settings_of(db=db, community_code=community_code))["cutoff_time"]
    return cutoff


async def put_settings(
    *, db: Database, clock: Clock, principal: Principal, community_code: str, body: CommunitySettingsUpdate
) -> dict[str, Any]:
    """Set the given fields; single-field `$set`s, so two admins changing different fields both win."""
    if not principal.covers_division(community_code):
        raise NotFound("community")
    changes: dict[str, Any] = {"updated_at": clock.now(), "updated_by": principal.subject}
    if body.cutoff_time is not None:
        changes["cutoff_time"] = body.cutoff_time
    if body.duty_phone is not None:
        changes.update(duty_phone=body.duty_phone, duty_phone_source="monitoring")
    await upsert_by_id(
        db[COLLECTION],
        community_code,
        {"$set": changes, "$inc": {"version": 1}, "$setOnInsert": _defaults(exclude=changes)},
    )
    return await settings_of(db=db, community_code=community_code)


async def follow_duty_phone(*, db: Database, community_code: str, duty_phone: str) -> None:
    """Duty owns the desk's phone once it publishes it; setting the same value twice is harmless."""
    await upsert_by_id(
        db[COLLECTION],
        community_code,
        {
            "$set": {"duty_phone": duty_phone, "duty_phone_source": "duty"},
            "$inc": {"version": 1},
            "$setOnInsert": {"cutoff_time": DEFAULT_CUTOFF},
        },
    )


async def follow_grid(*, db: Database, grid_id: str, community_code: str, work_phone: str | None) -> None:
    """Keep the grid's community and its manager's published work phone (none until registry publishes one)."""
    await upsert_by_id(
        db[GRIDS], grid_id, {"$set": {"community_code": community_code, "manager_work_phone": work_phone}}
    )


async def call_for(*, db: Database, community_code: str, grid_id: str) -> CallRead:
    grid = await db[GRIDS].find_one({"_id": grid_id}) or {}
    community = await settings_of(db=db, community_code=community_code)
    return CallRead(grid_manager_phone=grid.get("manager_work_phone"), duty_phone=community.get("duty_phone"))


def to_read(doc: dict[str, Any]) -> CommunitySettingsRead:
    return CommunitySettingsRead(
        community_code=doc["_id"],
        cutoff_time=doc["cutoff_time"],
        duty_phone=doc.get("duty_phone"),
        duty_phone_source=doc.get("duty_phone_source"),
        version=doc.get("version", 0),
    )


def _defaults(*, exclude: dict[str, Any]) -> dict[str, Any]:
    defaults = {"cutoff_time": DEFAULT_CUTOFF, "duty_phone": None}
    return {k: v for k, v in defaults.items() if k not in exclude}
