"""Stored jobs: timers and long work that survive restarts and run once even with several replicas.

A job is a document with a due time. A runner claims one with a single `find_one_and_update` (so two
replicas never claim the same job), holds it under a lease it renews at each checkpoint, and marks it done.
A runner that dies mid-job lets the lease lapse; another runner claims the job again and resumes from the
last checkpoint, so handlers must be idempotent, which they are by deriving every effect from the job.
Failures are retried with exponential backoff up to a bound, then the job is marked failed for an operator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from gridline import logs
from gridline.clock import Clock
from gridline.loops import Retrying
from gridline.mongo import ASCENDING, Database, DuplicateKeyError, Index, ReturnDocument, insert_new

log = logging.getLogger(__name__)

COLLECTION = "jobs"
INDEXES = [Index(COLLECTION, (("kind", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)))]
LEASE = timedelta(seconds=60)


@dataclass
class JobContext:
    db: Database
    clock: Clock
    settings: Any
    job: dict[str, Any]
    holder: str

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = self.job.get("payload", {})
        return payload

    @property
    def progress(self) -> dict[str, Any]:
        progress: dict[str, Any] = self.job.get("progress", {})
        return progress

    async def checkpoint(self, progress: dict[str, Any]) -> None:
        """Save how far the job got and renew the lease; raise if another runner took the job over."""
        result = await self.db[COLLECTION].update_one(
            {"_id": self.job["_id"], "holder": self.holder, "status": "running"},
            {"$set": {"progress": progress, "lease_until": self.clock.now() + LEASE}},
        )
        if result.matched_count == 0:
            raise LeaseLost(self.job["_id"])
        self.job["progress"] = progress


class LeaseLost(Exception):
    """This runner no longer holds the job; stop without marking anything."""


Handler = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True)
class JobKind:
    name: str
    handle: Handler
    max_attempts: int = 8
    backoff: timedelta = timedelta(seconds=5)


@dataclass(frozen=True)
class Job:
    """A job to store: `id` names it, so storing it again stores nothing."""

    id: str
    kind: str
    due_at: datetime
    payload: dict[str, Any]


async def schedule(
    db: Database, *, job_id: str, kind: str, due_at: datetime, payload: dict[str, Any], clock: Clock
) -> bool:
    """Store a job once; scheduling the same id again is a no-op (returns False)."""
    try:
        await db[COLLECTION].insert_one(_document(Job(job_id, kind, due_at, payload), clock))
    except DuplicateKeyError:
        return False
    return True


async def schedule_many(db: Database, jobs: Sequence[Job], *, clock: Clock) -> int:
    """`schedule` for each job, in one insert; returns how many were new (the others were stored before)."""
    refused = await insert_new(db[COLLECTION], [_document(job, clock) for job in jobs])
    return len(jobs) - len(refused)


async def rearm(db: Database, job_id: str) -> None:
    """Run a stored job again if it has already been taken (a no-op while it still waits to run).

    For a job stored ahead of the document its handler reads, so that a crash between the two loses nothing:
    when it falls due at once, a runner may take it, and find nothing to do, before that document is written.
    Re-arming it once the document is written runs it again; its handler must do nothing when moot. A runner
    holding it meanwhile loses it (its holder is cleared), so its outcome is not recorded over the re-run.
    """
    await db[COLLECTION].update_one(
        {"_id": job_id, "status": {"$ne": "pending"}},
        {"$set": {"status": "pending"}, "$unset": {"holder": "", "lease_until": ""}},
    )


def _document(job: Job, clock: Clock) -> dict[str, Any]:
    return {
        "_id": job.id,
        "kind": job.kind,
        "due_at": job.due_at,
        "payload": job.payload,
        "status": "pending",
        "attempts": 0,
        "created_at": clock.now(),
        "progress": {},
    }


class JobRunner:
    def __init__(
        self, *, db: Database, kinds: list[JobKind], clock: Clock, settings: Any, holder: str, interval: float = 0.5
    ) -> None:
        self._db = db
        self._kinds = {k.name: k for k in kinds}
        self._clock = clock
        self._settings = settings
        self._holder = holder
        self._interval = interval
        self._wake = asyncio.Event()
        self._retrying = Retrying("job runner", log)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """One job of each kind at a time, kinds side by side: a long import never holds up re-classification."""
        running: dict[str, asyncio.Task[None]] = {}
        try:
            while True:
                try:
                    await self._start_due(running)
                except Exception as exc:  # the database is away: look again, for as long as it takes
                    await self._retrying.failed(exc)
                    continue
                self._retrying.moved()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._interval)
                self._wake.clear()
        finally:
            for task in running.values():
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)

    async def _start_due(self, running: dict[str, asyncio.Task[None]]) -> None:
        """Claim and start a due job for each kind that has none running."""
        idle = [kind for kind in self._kinds if kind not in running]
        while idle and (job := await self.claim(idle)) is not None:
            kind = job["kind"]
            running[kind] = task = asyncio.create_task(self.execute(job))
            task.add_done_callback(partial(self._finished, running, kind))
            idle.remove(kind)

    def _finished(self, running: dict[str, asyncio.Task[None]], kind: str, task: asyncio.Task[None]) -> None:
        running.pop(kind, None)
        if not task.cancelled() and (exc := task.exception()) is not None:
            # Could not even record the outcome (the database went away): the lease lapses, the job runs again.
            log.warning("job of kind %s ended without its outcome stored: %s", kind, logs.error_text(exc))
        self._wake.set()  # its lane is free: look for the next job of that kind now

    async def claim(self, kinds: list[str]) -> dict[str, Any] | None:
        """A job of the first of `kinds` that has one: the one whose runner died (its lease lapsed), else the
        earliest due.

        Each read is one range of the (kind, status, due_at) index, in due order, stopping at its first row:
        a backlog of one kind costs the claims of the others nothing (with the kinds in one `$in`, a claim
        read every due job of every kind and sorted them).
        """
        now = self._clock.now()
        # Running jobs are few (one per kind and runner): one read finds a lapsed lease among all the kinds.
        lapsed = await self._take({"kind": {"$in": kinds}, "status": "running", "lease_until": {"$lt": now}}, now)
        if lapsed is not None:
            return lapsed
        for kind in kinds:
            job = await self._take({"kind": kind, "status": "pending", "due_at": {"$lte": now}}, now)
            if job is not None:
                return job
        return None

    async def _take(self, query: dict[str, Any], now: datetime) -> dict[str, Any] | None:
        job: dict[str, Any] | None = await self._db[COLLECTION].find_one_and_update(
            query,
            {
                "$set": {"status": "running", "holder": self._holder, "lease_until": now + LEASE},
                "$inc": {"attempts": 1},
            },
            sort=[("due_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return job

    async def execute(self, job: dict[str, Any]) -> None:
        kind = self._kinds[job["kind"]]
        context = JobContext(self._db, self._clock, self._settings, job, self._holder)
        try:
            await kind.handle(context)
        except LeaseLost:
            return
        except asyncio.CancelledError:
            await self._release(job)
            raise
        except Exception as exc:
            await self._failed(job, kind, exc)
            return
        await self._db[COLLECTION].update_one(
            {"_id": job["_id"], "holder": self._holder},
            {"$set": {"status": "done", "finished_at": self._clock.now()}, "$unset": {"lease_until": ""}},
        )

    async def _release(self, job: dict[str, Any]) -> None:
        """Shutting down mid-job: hand the job back at once instead of leaving its lease to lapse.

        The next runner resumes it from its last checkpoint now, not a lease period later, and the
        interrupted attempt does not count against the job's attempts.
        """
        with contextlib.suppress(Exception):
            await self._db[COLLECTION].update_one(
                {"_id": job["_id"], "holder": self._holder},
                {"$set": {"status": "pending"}, "$unset": {"lease_until": "", "holder": ""}, "$inc": {"attempts": -1}},
            )

    async def _failed(self, job: dict[str, Any], kind: JobKind, exc: Exception) -> None:
        error = logs.error_text(exc)
        final = job["attempts"] >= kind.max_attempts
        retry_at = self._clock.now() + kind.backoff * 2 ** (job["attempts"] - 1)
        log.warning("job %s (%s) failed%s: %s", job["_id"], kind.name, " for good" if final else "", error)
        await self._db[COLLECTION].update_one(
            {"_id": job["_id"], "holder": self._holder},
            {
                "$set": {"status": "failed" if final else "pending", "last_error": error, "due_at": retry_at},
                "$unset": {"lease_until": ""},
            },
        )
