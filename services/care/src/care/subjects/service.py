"""Keep care's list of people who may need help, from the registry's facts about them."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, DuplicateKeyError, Index
from pydantic import BaseModel

COLLECTION = "subjects"
INDEXES = [Index(COLLECTION, (("scope", 1), ("_id", 1)))]
HOME_ISOLATED = "home_isolated"


class SubjectRead(BaseModel):
    person_id: str
    community_code: str
    grid_id: str
    name_masked: str | None
    special_groups: list[str]
    home_isolated: bool
    measure: str | None
    updated_at: datetime


async def apply(
    *,
    db: Database,
    clock: Clock,
    person_id: str,
    version: int,
    relevant: bool,
    fields: dict[str, Any],
    placement: tuple[str, str],
) -> None:
    """Upsert the subject unless a newer version is already stored; a redelivery changes nothing."""
    community_code, grid_id = placement
    update = {
        "$set": {
            **fields,
            "community_code": community_code,
            "grid_id": grid_id,
            "version": version,
            "scope": scope_keys(community_code, grid_id),
            "updated_at": clock.now(),
        }
    }
    guard = {"_id": person_id, "version": {"$lte": version}}
    if not relevant:
        await db[COLLECTION].update_one(guard, update)  # no longer of concern: update if known, never create
        return
    # The upsert collides on _id when a newer version is stored: that newer fact wins, so ignore.
    with contextlib.suppress(DuplicateKeyError):
        await db[COLLECTION].update_one(guard, update, upsert=True)


async def list_page(*, db: Database, principal: Principal, page: PageParams) -> Page[SubjectRead]:
    query = {**principal.scope_filter(), "status": {"$ne": "merged"}}
    return await paginate(db[COLLECTION], query, page, to_read)


async def get(*, db: Database, principal: Principal, person_id: str) -> SubjectRead:
    doc = await db[COLLECTION].find_one({"_id": person_id, **principal.scope_filter()})
    if doc is None:
        raise NotFound("care subject")
    return to_read(doc)


def to_read(doc: dict[str, Any]) -> SubjectRead:
    return SubjectRead(
        person_id=doc["_id"],
        community_code=doc["community_code"],
        grid_id=doc["grid_id"],
        name_masked=doc.get("name_masked"),
        special_groups=doc.get("special_groups", []),
        home_isolated=doc.get("measure") == "home_isolation",
        measure=doc.get("measure"),
        updated_at=doc["updated_at"],
    )
