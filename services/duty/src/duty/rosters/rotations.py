"""Rotations: the planned shifts of a community's (or a grid's) roster."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, Index, read

from duty.access import require_covers, scoped_indexes, scoped_query
from duty.board import grids
from duty.rosters.models import RotationCreate, RotationRead
from duty.rosters.timeline import Change, Rotation
from duty.timing import local_day

COLLECTION = "rotations"
CHANGES = "roster_changes"
INDEXES = [
    *scoped_indexes(COLLECTION),
    Index(COLLECTION, (("community_code", 1), ("ends_on", 1))),
    Index(CHANGES, (("community_code", 1), ("in_force", 1), ("ends_at", 1))),
]
# Far more than any community keeps in force at once; bounds a read that must never grow with history.
MAX_ROTATIONS = 200
# A rotation that ended a few days ago may still have its last (weekly) shift running.
_LOOKBACK = timedelta(days=8)


async def create(
    *, db: Database, clock: Clock, principal: Principal, body: RotationCreate, rotation_id: str, key: str | None
) -> dict[str, Any]:
    """Store a rotation; from its first day it supersedes older rotations of the same roster."""
    scope = require_covers(principal, body.community_code, body.grid_id, what="community")
    if body.grid_id is not None:
        await require_grid(db=db, community_code=body.community_code, grid_id=body.grid_id)
    document = {
        "_id": rotation_id,
        "community_code": body.community_code,
        "grid_id": body.grid_id,
        "scope": scope,
        "name": body.name,
        "kind": body.kind.value,
        "starts_on": body.starts_on.isoformat(),
        "ends_on": body.ends_on.isoformat() if body.ends_on else None,
        "shift_starts": [t.strftime("%H:%M") for t in body.shift_starts],
        "crews": [c.model_dump() for c in body.crews],
        "created_at": clock.now(),
        "created_by": principal.subject,
    }
    return await insert_once(db[COLLECTION], stamp(document, key=key, body=body), body=body)


async def require_grid(*, db: Database, community_code: str, grid_id: str) -> None:
    grid = await grids.get(db=db, grid_id=grid_id)
    if grid is None or grid["community_code"] != community_code:
        raise Invalid("grid_id", "该网格不属于此社区，或尚未登记")


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, page: PageParams
) -> Page[RotationRead]:
    return await paginate(db[COLLECTION], scoped_query(principal, community_code), page, to_read)


async def get(*, db: Database, principal: Principal, rotation_id: str) -> dict[str, Any]:
    rotation = await db[COLLECTION].find_one({"_id": rotation_id, **principal.scope_filter()})
    if rotation is None:
        raise NotFound("rotation")
    return rotation


async def load(
    *, db: Database, community_code: str, start: datetime, end: datetime
) -> tuple[list[Rotation], list[Change]]:
    """Everything that decides who is on duty in [start, end): rotations not ended, and changes in force."""
    first_day = (local_day(start) - _LOOKBACK).isoformat()
    rotations, changes = await asyncio.gather(
        read(
            db[COLLECTION].find(
                {"community_code": community_code, "$or": [{"ends_on": None}, {"ends_on": {"$gte": first_day}}]}
            ),
            MAX_ROTATIONS,
        ),
        read(
            db[CHANGES].find(
                {
                    "community_code": community_code,
                    "in_force": True,
                    "ends_at": {"$gt": start},
                    "starts_at": {"$lt": end},
                }
            ),
            None,
        ),
    )
    return [Rotation.from_document(r) for r in rotations], [Change.from_document(c) for c in changes]


async def load_many(
    *, db: Database, community_codes: Sequence[str], start: datetime, end: datetime
) -> dict[str, tuple[list[Rotation], list[Change]]]:
    """As `load` for each community, in one read of rotations and one of changes for them all."""
    codes = sorted(set(community_codes))
    if len(codes) <= 1:
        return {code: await load(db=db, community_code=code, start=start, end=end) for code in codes}
    first_day = (local_day(start) - _LOOKBACK).isoformat()
    cap = MAX_ROTATIONS * len(codes)
    rotations, changes = await asyncio.gather(
        read(
            db[COLLECTION].find(
                {"community_code": {"$in": codes}, "$or": [{"ends_on": None}, {"ends_on": {"$gte": first_day}}]}
            ),
            cap,
        ),
        read(
            db[CHANGES].find(
                {
                    "community_code": {"$in": codes},
                    "in_force": True,
                    "ends_at": {"$gt": start},
                    "starts_at": {"$lt": end},
                }
            ),
            None,
        ),
    )
    if len(rotations) >= cap:  # one community may have crowded out another's: read each on its own
        loaded = await asyncio.gather(*(load(db=db, community_code=c, start=start, end=end) for c in codes))
        return dict(zip(codes, loaded, strict=True))
    by_code: dict[str, tuple[list[Rotation], list[Change]]] = {code: ([], []) for code in codes}
    for doc in rotations:
        by_code[doc["community_code"]][0].append(Rotation.from_document(doc))
    for doc in changes:
        by_code[doc["community_code"]][1].append(Change.from_document(doc))
    return by_code


def to_read(doc: dict[str, Any]) -> RotationRead:
    return RotationRead(
        id=doc["_id"],
        community_code=doc["community_code"],
        grid_id=doc.get("grid_id"),
        name=doc["name"],
        kind=doc["kind"],
        starts_on=date.fromisoformat(doc["starts_on"]),
        ends_on=date.fromisoformat(doc["ends_on"]) if doc.get("ends_on") else None,
        shift_starts=doc["shift_starts"],
        crews=doc["crews"],
        created_at=doc["created_at"],
    )
