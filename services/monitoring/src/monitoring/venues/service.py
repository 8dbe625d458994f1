"""The venues entry checks happen at: listed here until duty publishes its own, then followed from duty."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database

from monitoring.upserts import upsert_by_id
from monitoring.venues.inbound import VenueChanged
from monitoring.venues.models import VenueCreate, VenueRead
from monitoring.venues.store import COLLECTION, to_read


async def create(
    *, db: Database, clock: Clock, principal: Principal, body: VenueCreate, venue_id: str, key: str | None
) -> dict[str, Any]:
    if not principal.covers_division(body.community_code):
        raise NotFound("community")
    venue = {
        "_id": venue_id,
        **body.model_dump(mode="json"),
        "scope": scope_keys(body.community_code),
        "active": True,
        "source": "monitoring",
        "created_at": clock.now(),
        "created_by": principal.subject,
    }
    return await insert_once(db[COLLECTION], stamp(venue, key=key, body=body), body=body)


async def get(*, db: Database, principal: Principal, venue_id: str) -> dict[str, Any]:
    venue = await db[COLLECTION].find_one({"_id": venue_id})
    if venue is None or not principal.covers(venue["scope"]):
        raise NotFound("venue")
    return venue


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, page: PageParams
) -> Page[VenueRead]:
    query: dict[str, Any] = principal.scope_filter()
    if community_code:
        query["community_code"] = community_code
    return await paginate(db[COLLECTION], query, page, to_read)


async def follow_duty(*, db: Database, data: VenueChanged) -> None:
    """Duty's venue record wins over ours; applying the same event twice sets the same values."""
    await upsert_by_id(
        db[COLLECTION],
        data.venue_id,
        {
            "$set": {
                "community_code": data.community_code,
                "scope": scope_keys(data.community_code),
                "name": data.name,
                "kind": data.kind,
                "capacity": data.capacity,
                "active": data.active,
                "source": "duty",
            }
        },
    )
