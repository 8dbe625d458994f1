"""Recomputing a past day from the ledger: each community's counter rebuilt from the rows stored for it.

The ledger keeps every event's rows (see `ledger`), so the counters can be checked and rebuilt at any time.
A counter is replaced by a write guarded by the version read; an event counted meanwhile moves the
version and the community is read again. A day already published is published again as a new revision.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, NotFound
from gridline.mongo import Database, DuplicateKeyError, update_guarded

from duty.reports import publishing, rollup
from duty.reports.ledger import COUNTERS, LEDGER, counter_id, empty_counter, row_mark
from duty.reports.models import Recomputed
from duty.reports.service import DAYS, build, paged
from duty.settings import DutySettings

ATTEMPTS = 5


async def recompute(
    *, db: Database, clock: Clock, settings: DutySettings, principal: Principal, division_code: str, day: date
) -> Recomputed:
    if not principal.covers_division(division_code):
        raise NotFound("division")
    scope = {"scope": division_code, "day": day.isoformat()}
    rows = await paged(db=db, collection=LEDGER, query=scope)
    counters = await paged(db=db, collection=COUNTERS, query=scope, projection={"_id": 1, "community_code": 1})
    communities = sorted({r["community_code"] for r in rows} | {c["community_code"] for c in counters})
    changed = [c for c in communities if await _rebuild(db=db, community_code=c, day=day.isoformat())]
    republishing = None
    published = await db[DAYS].find_one({"_id": day.isoformat()})
    if published is not None and changed:
        republishing = published["revision"] + 1
        await publishing.schedule_publication(db=db, clock=clock, settings=settings, day=day, revision=republishing)
    report = await build(db=db, division_code=division_code, day=day)
    return Recomputed(report=report, communities_changed=changed, republishing=republishing)


async def _rebuild(*, db: Database, community_code: str, day: str) -> bool:
    """Make one counter equal to its ledger rows; True when it differed."""
    key = counter_id(community_code, day)
    for _ in range(ATTEMPTS):
        current = await db[COUNTERS].find_one({"_id": key})
        if current is None:
            with contextlib.suppress(DuplicateKeyError):  # created meanwhile by an event being counted
                await db[COUNTERS].insert_one(empty_counter(community_code, day))
            continue
        rows = await paged(db=db, collection=LEDGER, query={"scope": community_code, "day": day})
        counts, marks = _from_rows(rows)
        if counts == current.get("counts", {}) and marks == current.get("applied", {}):
            return False
        update = {"$set": {"counts": counts, "applied": marks}, "$inc": {"version": 1}}
        if await update_guarded(db[COUNTERS], key, {"version": current["version"]}, update):
            return True
    raise Conflict("该社区的计数正在快速变化，请稍后重试", community_code=community_code)


def _from_rows(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, bool]]:
    counts: dict[str, Any] = {}
    for row in rows:
        rollup.add(counts, _nested(row["deltas"]))
    return counts, {row_mark(row["_id"]): True for row in rows}


def _nested(deltas: list[dict[str, Any]]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for delta in deltas:
        *parents, leaf = delta["path"].split(".")
        place = nested
        for part in parents:
            place = place.setdefault(part, {})
        place[leaf] = place.get(leaf, 0) + int(delta["amount"])
    return nested
