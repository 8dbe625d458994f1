"""The ledger and the counters: each event's rows stored once, each row added to its community's day once.

A row is stored in the ledger (keyed by event, community and day) before it is added to the counter
document of that community and day. The addition is one write guarded by the row's mark in the counter
(`applied.<row>` absent) that sets the mark as it adds, so a redelivered event, or a crash between the two
writes, never counts a row twice. The ledger is what a past day is recomputed from (see `recompute`).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import defaultdict
from typing import Any

from gridline.auth import scope_keys
from gridline.clock import Clock
from gridline.mongo import Database, DuplicateKeyError, Index, insert_new, update_guarded

from duty.reports.effects import Row

LEDGER = "report_ledger"
COUNTERS = "report_counters"
INDEXES = [
    Index(LEDGER, (("scope", 1), ("day", 1), ("_id", 1))),
    Index(COUNTERS, (("scope", 1), ("day", 1), ("_id", 1))),
    Index(COUNTERS, (("day", 1), ("_id", 1))),
]


def counter_id(community_code: str, day: str) -> str:
    return f"{community_code}:{day}"


def row_mark(row_id: str) -> str:
    return hashlib.sha256(row_id.encode()).hexdigest()[:24]


async def record(*, db: Database, clock: Clock, event_id: str, event_type: str, rows: list[Row]) -> None:
    await record_many(db=db, clock=clock, events=[(event_id, event_type, rows)])


async def record_many(*, db: Database, clock: Clock, events: list[tuple[str, str, list[Row]]]) -> None:
    """The rows of several events (id, type, rows): as `record` on each, in one ledger insert and one
    counter write per community and day.

    A counter's write adds all its rows at once, guarded by every row's mark being absent; if any row was
    counted before (a redelivery) or the counter does not exist yet, that counter's rows go one by one.
    """
    rows: dict[str, tuple[dict[str, Any], Row]] = {}
    for event_id, event_type, event_rows in events:
        for row in event_rows:
            entry = _entry(clock, event_id, event_type, row)
            rows.setdefault(entry["_id"], (entry, row))  # an event published twice and read in one poll: once
    await insert_new(db[LEDGER], [entry for entry, _ in rows.values()])
    counters: dict[tuple[str, str], list[tuple[str, Row]]] = defaultdict(list)
    for row_id, (entry, row) in rows.items():
        counters[(row.community_code, entry["day"])].append((row_mark(row_id), row))
    for (community_code, day), marked in counters.items():
        if await _count_together(db=db, community_code=community_code, day=day, marked=marked):
            continue
        for mark, row in marked:
            await _count(db=db, community_code=community_code, day=day, mark=mark, row=row)


def _entry(clock: Clock, event_id: str, event_type: str, row: Row) -> dict[str, Any]:
    day = row.day.isoformat()
    return {
        "_id": f"{event_id}|{row.community_code}|{day}",
        "event_id": event_id,
        "event_type": event_type,
        "community_code": row.community_code,
        "scope": scope_keys(row.community_code),
        "day": day,
        # A list, not a map: counter paths hold dots, which field names must not.
        "deltas": [{"path": path, "amount": amount} for path, amount in row.deltas.items()],
        "recorded_at": clock.now(),
    }


async def _count_together(*, db: Database, community_code: str, day: str, marked: list[tuple[str, Row]]) -> bool:
    """Add every row to the counter in one write if none of them was counted; False when it did not apply."""
    guard, update = _adding(marked)
    return await update_guarded(db[COUNTERS], counter_id(community_code, day), guard, update)


async def _count(*, db: Database, community_code: str, day: str, mark: str, row: Row) -> None:
    key = counter_id(community_code, day)
    guard, update = _adding([(mark, row)])
    if await update_guarded(db[COUNTERS], key, guard, update):
        return
    # Either this row is counted already, or the day's counter does not exist yet. Only the row's own mark
    # tells which: rows of other partitions are counted at the same time and may create the counter first.
    if await db[COUNTERS].find_one({"_id": key, f"applied.{mark}": True}, {"_id": 1}) is not None:
        return
    with contextlib.suppress(DuplicateKeyError):  # another row created it meanwhile
        await db[COUNTERS].insert_one(empty_counter(community_code, day))
    await update_guarded(db[COUNTERS], key, guard, update)


def _adding(marked: list[tuple[str, Row]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The guard (none of these rows counted yet) and the update that adds them all and marks each."""
    increments: dict[str, int] = defaultdict(int)
    for _, row in marked:
        for path, amount in row.deltas.items():
            increments[f"counts.{path}"] += amount
    guard = {f"applied.{mark}": {"$exists": False} for mark, _ in marked}
    update = {"$inc": {**increments, "version": 1}, "$set": {f"applied.{mark}": True for mark, _ in marked}}
    return guard, update


def empty_counter(community_code: str, day: str) -> dict[str, Any]:
    return {
        "_id": counter_id(community_code, day),
        "community_code": community_code,
        "scope": scope_keys(community_code),
        "day": day,
        "counts": {},
        "applied": {},
        "version": 0,
    }
