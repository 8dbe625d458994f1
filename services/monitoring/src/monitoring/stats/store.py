"""Counter documents, one per day, community and grid, so no statistic ever scans the check-ins.

Every figure is the sum of `figures.counted` rows (see `monitoring.figures`, their one definition): each
event's rows are `$inc`s guarded by the event id recorded in the same write, so a redelivered event counts
once. The cut-off only marks a grid's day closed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from gridline.auth import scope_keys
from gridline.mongo import Database, Index, update_guarded

from monitoring.upserts import upsert_by_id

COLLECTION = "daily_stats"
INDEXES = [Index(COLLECTION, (("scope", 1), ("day", 1), ("_id", 1)))]
NO_GRID = "-"  # venue alerts belong to a community, not to one of its grids


def doc_id(day: str, community_code: str, grid_id: str | None) -> str:
    return f"{day}:{community_code}:{grid_id or NO_GRID}"


@dataclass(frozen=True)
class Count:
    """What one event adds to one grid's day."""

    day: str
    community_code: str
    grid_id: str | None
    event_id: str
    increments: dict[str, int]

    @property
    def key(self) -> str:
        return doc_id(self.day, self.community_code, self.grid_id)


async def count_once(*, db: Database, count: Count) -> None:
    """Apply the count's increments unless its event was already counted."""
    guard, update = _adding([count])
    if await update_guarded(db[COLLECTION], count.key, guard, update):
        return
    # Not applied: either counted before (the guard held back a repeat) or the day's document is new.
    await _create(db, count.key, count.day, count.community_code, count.grid_id)
    await update_guarded(db[COLLECTION], count.key, guard, update)


async def count_many(*, db: Database, counts: list[Count]) -> None:
    """As `count_once` on each, with one write per day's document for all its events not counted before.

    The write adds them all, guarded by every event's mark being absent; if any was counted before (a
    redelivery) or the document is new, that document's events go one by one.
    """
    documents: dict[str, dict[str, Count]] = defaultdict(dict)
    for count in counts:
        documents[count.key].setdefault(count.event_id, count)  # an event read twice in one poll: once
    for key, events in documents.items():
        guard, update = _adding(list(events.values()))
        if await update_guarded(db[COLLECTION], key, guard, update):
            continue
        for count in events.values():
            await count_once(db=db, count=count)


def _adding(counts: list[Count]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The guard (none of these events counted yet) and the update that counts them all and marks each."""
    increments: dict[str, int] = defaultdict(int)
    for count in counts:
        for path, amount in count.increments.items():
            increments[path] += amount
    guard = {f"applied.{count.event_id}": {"$exists": False} for count in counts}
    update = {"$inc": dict(increments), "$set": {f"applied.{count.event_id}": True for count in counts}}
    return guard, update


async def set_closed(*, db: Database, day: str, community_code: str, grid_id: str) -> None:
    """The cut-off judged the grid's day; marking it again after a rerun changes nothing."""
    key = doc_id(day, community_code, grid_id)
    await _create(db, key, day, community_code, grid_id)
    await update_guarded(db[COLLECTION], key, {}, {"$set": {"closed": True}})


async def _create(db: Database, key: str, day: str, community_code: str, grid_id: str | None) -> None:
    """Make sure the day's document exists (by `_id` alone, so creating it twice is harmless)."""
    base = {
        "day": day,
        "community_code": community_code,
        "grid_id": grid_id,
        "scope": scope_keys(community_code, grid_id),
    }
    await upsert_by_id(db[COLLECTION], key, {"$setOnInsert": {**base, "closed": False}})
