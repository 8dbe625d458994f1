"""Pages held for a short window and grouped: a storm of incidents of one kind in one community at one step
becomes one page per person and channel that says how many, while each incident stays on the desk.

A step asks for its page by storing a request (keyed by incident and level, so asking twice stores one) and
joining its group's window: the first request opens it (one guarded upsert: of two racing, one opens and the
other joins) and every request stores the window's flush job, keyed by the window, so a crash between opening
and storing the job is mended by the next request or by the redelivered event. When the window closes the
flush fixes its members in a checkpoint before anything is queued, so a flush run again pages the same set
with the same keys: nothing twice. A member acknowledged during the window is not paged.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from gridline.clock import Clock
from gridline.jobs import JobContext, JobKind, schedule
from gridline.mongo import ASCENDING, Database, DuplicateKeyError, Index, read

from duty.incidents.store import COLLECTION as INCIDENTS
from duty.paging import sending
from duty.settings import DutySettings
from duty.timing import aware

REQUESTS = "page_requests"
WINDOWS = "page_windows"
KIND = "paging.flush"
INDEXES = [Index(REQUESTS, (("group", ASCENDING), ("state", ASCENDING), ("created_at", ASCENDING)))]
# More than any community raises at one step within a window; the rest wait for the next flush.
MAX_MEMBERS = 500


async def request(
    *, db: Database, clock: Clock, settings: DutySettings, incident_id: str, level: int, community_code: str, kind: str
) -> None:
    """Ask for the page of an incident's step; it goes out when the step's window closes."""
    now, group = clock.now(), f"{community_code}:{kind}:{level}"
    try:
        await db[REQUESTS].insert_one(
            {
                "_id": f"{incident_id}:{level}",
                "group": group,
                "incident_id": incident_id,
                "level": level,
                "state": "pending",
                "created_at": now,
            }
        )
    except DuplicateKeyError:
        stored = await db[REQUESTS].find_one({"_id": f"{incident_id}:{level}"}, {"state": 1})
        if stored is not None and stored["state"] != "pending":
            return  # paged already: a redelivered step
    closes = await _window(db=db, group=group, now=now, hold=timedelta(seconds=settings.paging_group_seconds))
    await _schedule(db=db, clock=clock, group=group, closes=closes, due=closes)


async def _window(*, db: Database, group: str, now: datetime, hold: timedelta) -> datetime:
    """When the group's window closes: the one open now, or a new one from now."""
    for _ in range(3):
        found = await db[WINDOWS].find_one({"_id": group})
        if found is not None and aware(found["closes_at"]) > now:
            return aware(found["closes_at"])
        with contextlib.suppress(DuplicateKeyError):  # another request opened it meanwhile: join that one
            await db[WINDOWS].update_one(
                {"_id": group, "closes_at": {"$lte": now}},
                {"$set": {"closes_at": now + hold, "opened_at": now}},
                upsert=True,
            )
    found = await db[WINDOWS].find_one({"_id": group})
    return aware(found["closes_at"]) if found else now


async def _schedule(*, db: Database, clock: Clock, group: str, closes: datetime, due: datetime, again: int = 0) -> None:
    window = f"{group}:{int(closes.timestamp() * 1000)}"
    await schedule(
        db,
        job_id=f"{KIND}:{window}" + (f"+{again}" if again else ""),
        kind=KIND,
        due_at=due,
        payload={"group": group, "window": window, "closes": closes.isoformat(), "again": again},
        clock=clock,
    )


async def flush(ctx: JobContext) -> None:
    """Job handler: page the members of a closed window, one page per person and channel."""
    settings = ctx.settings
    assert isinstance(settings, DutySettings)
    db, group, window = ctx.db, ctx.payload["group"], ctx.payload["window"]
    members: list[str] | None = ctx.progress.get("members")
    if members is None:
        pending = db[REQUESTS].find({"group": group, "state": "pending"}).sort("created_at", ASCENDING)
        members = [r["_id"] for r in await read(pending, MAX_MEMBERS)]
        await ctx.checkpoint({"members": members})  # from here on a rerun pages exactly these
    if not members:
        return
    paging = sending.Paging(db, ctx.clock, settings.protector(), settings)
    for found in (await _still_open(db, members)).values():
        if len(found) == 1:
            await sending.page_incident(paging, incident=found[0], level=found[0]["level"])
        else:
            await sending.page_group(paging, incidents=found, window=window)
    await db[REQUESTS].update_many({"_id": {"$in": members}}, {"$set": {"state": "paged", "paged_at": ctx.clock.now()}})
    # A request stored while this flush read its members (it joined a window closing under it) gets its own.
    closes = datetime.fromisoformat(ctx.payload["closes"])
    if await db[REQUESTS].count_documents({"group": group, "state": "pending", "created_at": {"$lt": closes}}):
        again = int(ctx.payload.get("again", 0)) + 1
        await _schedule(db=db, clock=ctx.clock, group=group, closes=closes, due=ctx.clock.now(), again=again)


async def _still_open(db: Database, members: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The members' incidents still open at the step they asked for, by the person holding it."""
    requests = await read(db[REQUESTS].find({"_id": {"$in": members}}), len(members))
    levels = {r["incident_id"]: r["level"] for r in requests}
    incidents = await read(db[INCIDENTS].find({"_id": {"$in": list(levels)}}, {"_outbox": 0}), len(levels))
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for incident in sorted(incidents, key=lambda i: i["opened_at"]):
        if incident["status"] == "open" and incident["level"] == levels[incident["_id"]] and incident.get("assignee"):
            by_person[incident["assignee"]["subject"]].append(incident)
    return by_person


JOB = JobKind(KIND, flush, max_attempts=10)
