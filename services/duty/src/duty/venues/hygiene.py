"""The daily log of disinfection and ventilation at a venue: time, area, agent, by whom."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Invalid
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, Index

from duty.timing import local_day
from duty.venues import service as venues
from duty.venues.models import HygieneCreate, HygieneRead, LogKind

COLLECTION = "venue_hygiene"
INDEXES = [
    Index(COLLECTION, (("venue_id", 1), ("_id", 1))),
    Index(COLLECTION, (("venue_id", 1), ("day", 1), ("_id", 1))),
]


async def record(
    *,
    db: Database,
    clock: Clock,
    principal: Principal,
    venue_id: str,
    body: HygieneCreate,
    entry_id: str,
    key: str | None,
) -> dict[str, Any]:
    venue = await venues.get(db=db, principal=principal, venue_id=venue_id)
    if body.at.tzinfo is None:
        raise Invalid("at", "an instant needs an offset, e.g. 2021-01-12T08:00:00+08:00")
    if body.at > clock.now():
        raise Invalid("at", "不能登记尚未进行的消毒或通风")
    if body.kind is LogKind.DISINFECTION and not body.agent:
        raise Invalid("agent", "消毒记录须填写消毒剂")
    document = {
        "_id": entry_id,
        "venue_id": venue_id,
        "community_code": venue["community_code"],
        "kind": body.kind.value,
        "day": local_day(body.at).isoformat(),
        "at": body.at,
        "area": body.area,
        "agent": body.agent,
        "minutes": body.minutes,
        "by_name": body.by_name,
        "recorded_by": principal.subject,
        "recorded_at": clock.now(),
    }
    return await insert_once(db[COLLECTION], stamp(document, key=key, body=body), body=body)


async def list_page(
    *, db: Database, principal: Principal, venue_id: str, day: date | None, page: PageParams
) -> Page[HygieneRead]:
    await venues.get(db=db, principal=principal, venue_id=venue_id)
    query: dict[str, Any] = {"venue_id": venue_id}
    if day is not None:
        query["day"] = day.isoformat()
    return await paginate(db[COLLECTION], query, page, to_read)


def to_read(doc: dict[str, Any]) -> HygieneRead:
    return HygieneRead(id=doc["_id"], **{k: doc.get(k) for k in HygieneRead.model_fields if k != "id"})
