"""Duty's copy of the grids (from `registry.grid.v1`): who is responsible for each, and their work phone."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from gridline.clock import Clock
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, DuplicateKeyError, Index, read

from duty.board.inbound import GridChanged
from duty.board.models import GridContact

COLLECTION = "grid_directory"
INDEXES = [Index(COLLECTION, (("community_code", 1), ("_id", 1)))]


async def record(*, db: Database, clock: Clock, data: GridChanged) -> None:
    """Upsert unless a newer version is stored; a redelivery writes the same values again."""
    fields = {
        "community_code": data.community_code,
        "name": data.name,
        "manager_name": data.manager_name,
        "manager_work_phone": data.manager_work_phone,
        "version": data.version,
        "updated_at": clock.now(),
    }
    with contextlib.suppress(DuplicateKeyError):  # a newer version is stored: it wins
        await db[COLLECTION].update_one(
            {"_id": data.grid_id, "version": {"$lte": data.version}}, {"$set": fields}, upsert=True
        )


async def get(*, db: Database, grid_id: str) -> dict[str, Any] | None:
    grid: dict[str, Any] | None = await db[COLLECTION].find_one({"_id": grid_id})
    return grid


async def get_many(*, db: Database, grid_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The grids known among `grid_ids`, by id, in one read."""
    if not grid_ids:
        return {}
    found = await read(db[COLLECTION].find({"_id": {"$in": list(grid_ids)}}), len(grid_ids))
    return {grid["_id"]: grid for grid in found}


async def list_page(*, db: Database, community_code: str, page: PageParams) -> Page[GridContact]:
    return await paginate(db[COLLECTION], {"community_code": community_code}, page, to_contact)


def to_contact(doc: dict[str, Any]) -> GridContact:
    return GridContact(
        grid_id=doc["_id"],
        community_code=doc["community_code"],
        name=doc["name"],
        manager_name=doc["manager_name"],
        manager_work_phone=doc.get("manager_work_phone"),
    )
