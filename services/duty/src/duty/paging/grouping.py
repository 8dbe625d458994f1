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

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gridline.clock import Clock
from gridline.jobs import COLLECTION as JOBS
from gridline.jobs import JobContext, JobKind, schedule
from gridline.mongo import ASCENDING, Database, DuplicateKeyError, Index, insert_new, read

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
    ask = Ask(incident_id=incident_id, level=level, community_code=community_code, kind=kind)
    await request_many(db=db, clock=clock, settings=settings, asks=[ask])


@dataclass(frozen=True)
class Ask:
    """One step's request for its page."""

    incident_id: str
    level: int
    community_code: str
    kind: str

    @property
    def id(self) -> str:
        return f"{self.incident_id}:{self.level}"

    @property
    def group(self) -> str:
        return f"{self.community_code}:{self.kind}:{self.level}"


async def request_many(*, db: Database, clock: Clock, settings: DutySettings, asks: Sequence[Ask]) -> None:
    """`request` for each, with a few round trips for them all: one insert of the requests, one read of their
    groups' windows, one read of the windows' flush jobs; a window to open or a job missing costs its own."""
    now, hold = clock.now(), timedelta(seconds=settings.paging_group_seconds)
    unique = list({a.id: a for a in asks}.values())
    documents = [
        {
            "_id": a.id,
            "group": a.group,
            "incident_id": a.incident_id,
            "level": a.level,
            "state": "pending",
            "created_at": now,
        }
        for a in unique
    ]
    refused = [unique[n].id for n in await insert_new(db[REQUESTS], documents)]
    if refused:  # a redelivered step: one paged already needs nothing more
        stored = await read(db[REQUESTS].find({"_id": {"$in": refused}}, {"state": 1}), len(refused))
        done = {r["_id"] for r in stored if r["state"] != "pending"}
        unique = [a for a in unique if a.id not in done]
    groups = sorted({a.group for a in unique})
    if not groups:
        return
    found = await read(db[WINDOWS].find({"_id": {"$in": groups}}), len(groups))
    closes = {w["_id"]: aware(w["closes_at"]) for w in found if aware(w["closes_at"]) > now}
    missing = [g for g in groups if g not in closes]
    opened = await asyncio.gather(*(_window(db=db, group=g, now=now, hold=hold) for g in missing))
    closes.update(zip(missing, opened, strict=True))
    # Every request stores its window's flush job (a crash between opening a window and storing its job is
    # mended so); a job stored already is seen by one read rather than refused by a write per request.
    jobs = {_job_id(_window_name(g, closes[g])): g for g in groups}
    stored_jobs = await read(db[JOBS].find({"_id": {"$in": list(jobs)}}, {"_id": 1}), len(jobs))
    have = {j["_id"] for j in stored_jobs}
    await asyncio.gather(
        *(
            _schedule(db=db, clock=clock, group=g, closes=closes[g], due=closes[g])
            for job_id, g in jobs.items()
            if job_id not in have
        )
    )


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


def _window_name(group: str, closes: datetime) -> str:
    return f"{group}:{int(closes.timestamp() * 1000)}"


def _job_id(window: str, again: int = 0) -> str:
    return f"{KIND}:{window}" + (f"+{again}" if again else "")


async def _schedule(*, db: Database, clock: Clock, group: str, closes: datetime, due: datetime, again: int = 0) -> None:
    window = _window_name(group, closes)
    await schedule(
        db,
        job_id=_job_id(window, again),
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
