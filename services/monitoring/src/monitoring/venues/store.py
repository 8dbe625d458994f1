"""Venues, and one document per venue and day holding its occupancy, counts and entry log.

Every entry and exit is one version-guarded write of that day document, carrying any alert it raises and
recording the entry's id, so occupancy is exact, a retried request counts once, and no alert can be
stored without its cause.
"""

from __future__ import annotations

from typing import Any

from gridline.mongo import Index

from monitoring.venues.models import VenueRead

COLLECTION = "venues"
DAYS = "venue_days"
INDEXES = [Index(COLLECTION, (("scope", 1), ("_id", 1)))]


def day_id(venue_id: str, day: str) -> str:
    return f"{venue_id}:{day}"


def new_day(venue: dict[str, Any], day: str) -> dict[str, Any]:
    return {
        "_id": day_id(venue["_id"], day),
        "venue_id": venue["_id"],
        "community_code": venue["community_code"],
        "day": day,
        "occupancy": 0,
        "entries": 0,
        "admitted": 0,
        "turned_away": 0,
        "exits": 0,
        "peak": 0,
        "seen": {},
        "log": [],
        "version": 1,
    }


def to_read(doc: dict[str, Any]) -> VenueRead:
    return VenueRead(
        id=doc["_id"],
        community_code=doc["community_code"],
        name=doc["name"],
        kind=doc["kind"],
        capacity=doc["capacity"],
        active=doc.get("active", True),
        source=doc.get("source", "monitoring"),
    )
