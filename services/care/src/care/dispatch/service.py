"""Finding a request's candidate helpers with one indexed query, then ranking them."""

from __future__ import annotations

from typing import Any

from gridline.clock import Clock
from gridline.mongo import ASCENDING, Database, read

from care.dispatch.ranking import rank
from care.helpers.service import COLLECTION
from care.vocabulary import RequestType

# Helpers serving one community with one skill are tens, not thousands; the cap bounds a misconfiguration.
MAX_CANDIDATES = 500
_FIELDS = {
    "account": 1,
    "name": 1,
    "kind": 1,
    "skills": 1,
    "communities": 1,
    "windows": 1,
    "unavailable_until": 1,
    "active": 1,
    "load": 1,
    "last_assigned_at": 1,
}


def dispatch_key(community_code: str, request_type: str) -> str:
    return f"{community_code}|{'*' if request_type == RequestType.OTHER else request_type}"


async def suggest(
    *, db: Database, clock: Clock, community_code: str, request_type: str, exclude: str | None = None, limit: int = 5
) -> list[dict[str, Any]]:
    """The best helpers for a request in `community_code`, best first."""
    query = {"dispatch_keys": dispatch_key(community_code, request_type), "active": True}
    cursor = db[COLLECTION].find(query, _FIELDS).sort("_id", ASCENDING).limit(MAX_CANDIDATES)
    found = [h for h in await read(cursor, MAX_CANDIDATES) if h["_id"] != exclude]
    return rank(found, community_code=community_code, request_type=request_type, now=clock.now())[:limit]
