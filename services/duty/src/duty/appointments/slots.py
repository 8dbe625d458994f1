"""Slots: created in bulk for a day, each its own document holding its count and its bookings."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from gridline.auth import Principal
from gridline.clock import LOCAL_TZ, Clock
from gridline.errors import Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import BulkWriteError, Database, Index, read

from duty.access import require_covers
from duty.appointments.models import SlotRead, SlotsCreate
from duty.timing import at_local
from duty.venues import service as venues

COLLECTION = "slots"
INDEXES = [
    Index(COLLECTION, (("community_code", 1), ("day", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
]
MAX_SLOTS = 96
_NS = uuid.UUID("0d7f3c1e-6a0b-4b59-8f43-2f7d3a0f51c2")


def slot_id(community_code: str, service: str, starts_at: datetime) -> str:
    """The same slot created twice is one slot; ids sort by start time, so pages list slots in order."""
    which = uuid.uuid5(_NS, f"{community_code}|{service}").hex[:12]
    return f"{starts_at.astimezone(LOCAL_TZ):%Y%m%d%H%M}-{which}"


async def create(*, db: Database, clock: Clock, principal: Principal, body: SlotsCreate) -> list[dict[str, Any]]:
    scope = require_covers(principal, body.community_code, what="community")
    if body.venue_id is not None:
        venue = await venues.find(db=db, venue_id=body.venue_id)
        if venue is None or venue["community_code"] != body.community_code:
            raise Invalid("venue_id", "该场所不属于此社区")
    starts = _starts(body)
    if not starts:
        raise Invalid("minutes", "时段长度超过了开放时间")
    if len(starts) > MAX_SLOTS:
        raise Invalid("minutes", f"一次最多创建 {MAX_SLOTS} 个时段")
    documents = [_document(body, scope, start, clock) for start in starts]
    # Slots created before (a retried request) stay as they are, bookings and all.
    with contextlib.suppress(BulkWriteError):
        await db[COLLECTION].insert_many(documents, ordered=False)
    found = await read(db[COLLECTION].find({"_id": {"$in": [d["_id"] for d in documents]}}).sort("starts_at", 1), None)
    return found


def _starts(body: SlotsCreate) -> list[datetime]:
    start, end, step = (
        at_local(body.day, body.first_start),
        at_local(body.day, body.last_end),
        timedelta(minutes=body.minutes),
    )
    starts = []
    while start + step <= end:
        starts.append(start)
        start += step
    return starts


def _document(body: SlotsCreate, scope: list[str], start: datetime, clock: Clock) -> dict[str, Any]:
    return {
        "_id": slot_id(body.community_code, body.service, start),
        "community_code": body.community_code,
        "scope": scope,
        "service": body.service,
        "venue_id": body.venue_id,
        "day": body.day.isoformat(),
        "starts_at": start,
        "ends_at": start + timedelta(minutes=body.minutes),
        "capacity": body.capacity,
        "booked": 0,
        "bookings": {},
        "phones": {},
        "created_at": clock.now(),
    }


async def find(*, db: Database, slot: str) -> dict[str, Any]:
    found = await db[COLLECTION].find_one({"_id": slot})
    if found is None:
        raise NotFound("slot")
    return found


async def list_day(*, db: Database, community_code: str, day: date, page: PageParams) -> Page[SlotRead]:
    query = {"community_code": community_code, "day": day.isoformat()}
    return await paginate(db[COLLECTION], query, page, to_read, {"bookings": 0, "phones": 0})


def to_read(doc: dict[str, Any]) -> SlotRead:
    return SlotRead(
        id=doc["_id"],
        community_code=doc["community_code"],
        service=doc["service"],
        venue_id=doc.get("venue_id"),
        day=date.fromisoformat(doc["day"]),
        starts_at=doc["starts_at"],
        ends_at=doc["ends_at"],
        capacity=doc["capacity"],
        booked=doc["booked"],
        available=max(0, doc["capacity"] - doc["booked"]),
    )
