"""Duty's copy of the grids, for the public board of who is responsible where."""

from __future__ import annotations

import contextlib
from typing import Any

from gridline.clock import Clock
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, DuplicateKeyError, Index
from pydantic import BaseModel

from duty.directory.inbound import GridCreated

COLLECTION = "grid_directory"
INDEXES = [Index(COLLECTION, (("community_code", 1), ("_id", 1)))]


class GridContact(BaseModel):
    grid_id: str
    community_code: str
    name: str
    manager_name: str
    manager_phone: str


async def record_grid(*, db: Database, clock: Clock, data: GridCreated) -> None:
    """Upsert unless a newer version is stored; a redelivery writes the same values again."""
    fields = {
        "community_code": data.community_code,
        "name": data.name,
        "manager_name": data.manager_name,
        "manager_phone_masked": data.manager_phone_masked,
        "version": data.version,
        "updated_at": clock.now(),
    }
    with contextlib.suppress(DuplicateKeyError):  # a newer version is stored: it wins
        await db[COLLECTION].update_one(
            {"_id": data.grid_id, "version": {"$lte": data.version}}, {"$set": fields}, upsert=True
        )


async def list_page(*, db: Database, community_code: str, page: PageParams) -> Page[GridContact]:
    return await paginate(db[COLLECTION], {"community_code": community_code}, page, to_contact)


def to_contact(doc: dict[str, Any]) -> GridContact:
    return GridContact(
        grid_id=doc["_id"],
        community_code=doc["community_code"],
        name=doc["name"],
        manager_name=doc["manager_name"],
        manager_phone=doc["manager_phone_masked"],
    )
