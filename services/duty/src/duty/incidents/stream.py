"""The live feed behind `streamIncidents`: incidents of a jurisdiction changed since a cursor, from duty's own data.

Each incident write sets `changed_at`; the feed polls the index on (scope, changed_at). Writers on several
replicas stamp `changed_at` from their own clocks and commit in any order, so every poll reaches back
`OVERLAP` before the newest change it saw and drops what it already sent (by incident and version).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from gridline.loops import outage
from gridline.mongo import ASCENDING, Database, read

from duty.incidents.models import IncidentChange
from duty.incidents.store import COLLECTION, to_read

OVERLAP = timedelta(seconds=5)
BATCH = 100
# Versions remembered per connection to drop repeats; older ones have left the overlap window long ago.
REMEMBER = 5000


def cursor_of(last_event_id: str | None) -> datetime | None:
    """`Last-Event-ID` of a reconnecting client (`<changed_at>|<incident>|<version>`) back to a time."""
    if not last_event_id:
        return None
    try:
        moment = datetime.fromisoformat(last_event_id.split("|", 1)[0])
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


async def changes(
    *, db: Database, jurisdiction: str, since: datetime, seconds: float, poll_seconds: float
) -> AsyncIterator[tuple[str, IncidentChange]]:
    """(event id, change) for every step after `since`, for `seconds` of wall time (or until the client leaves)."""
    sent: dict[tuple[str, int], None] = {}
    newest, start_from = since, since
    ends = time.monotonic() + seconds  # how long this connection lasts, not a domain time: not the injected clock
    while True:
        try:
            found = await _changed_since(db=db, jurisdiction=jurisdiction, since=start_from)
        except Exception as exc:
            if not outage(exc):
                raise
            found = []  # the database is away: the desk stays connected and hears the changes once it is back
        fresh = [d for d in found if (d["_id"], d["version"]) not in sent]
        for doc in fresh:
            sent[(doc["_id"], doc["version"])] = None
            newest = max(newest, doc["changed_at"])
            event_id = f"{doc['changed_at'].isoformat()}|{doc['_id']}|{doc['version']}"
            yield event_id, IncidentChange(step=doc.get("last_step", "opened"), incident=to_read(doc))
        while len(sent) > REMEMBER:
            sent.pop(next(iter(sent)))
        if len(found) == BATCH:  # more are waiting; a full batch seen before means the overlap itself is full
            start_from = max(since, newest - OVERLAP) if fresh else found[-1]["changed_at"]
            continue
        if time.monotonic() >= ends:
            return
        await asyncio.sleep(poll_seconds)
        start_from = max(since, newest - OVERLAP)


async def _changed_since(*, db: Database, jurisdiction: str, since: datetime) -> list[dict[str, Any]]:
    query = {"scope": jurisdiction, "changed_at": {"$gt": since}}
    cursor = db[COLLECTION].find(query, {"_outbox": 0}).sort("changed_at", ASCENDING).limit(BATCH)
    return await read(cursor, BATCH)
