"""Report-back: each status of each entry is posted, signed, to the platform's webhook by a stored job.

The job, keyed by entry and status version, is also the durable record of a worker's change: it is stored
before the entry is updated, and its handler applies the change if the request died in between. So a
change is never applied without its report, and scheduling the same version twice does nothing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from gridline import webhooks
from gridline.clock import Clock
from gridline.jobs import JobContext, JobKind, schedule
from gridline.mongo import Database

from registry.assist_lists.models import ReportRead, ReportState
from registry.assist_lists.store import ENTRIES, apply_change
from registry.settings import RegistrySettings

KIND = "assist-list.report"
MAX_ATTEMPTS = 10
# 15 s doubling over 10 attempts: the last try is about 2 h after the change, long enough to ride out
# a maintenance window of the receiving platform.
BACKOFF = timedelta(seconds=15)
SCHEDULE_BATCH = 100
APPLY_WAIT_ROUNDS = 40
APPLY_WAIT_SECONDS = 0.05
# Far longer than any request takes: a change still unapplied by then lost its request to a crash.
ORPHANED_AFTER = timedelta(seconds=60)


def job_id(entry: str, version: int) -> str:
    return f"{KIND}:{entry}:v{version:04d}"


def change(
    *,
    entry: dict[str, Any],
    status: str,
    person_id: str | None,
    person_scope: list[str],
    note: str | None,
    at: datetime,
    by: str,
) -> dict[str, Any]:
    """The next status version of `entry`: the job's payload, and what `apply_change` writes."""
    return {
        "entry": entry["_id"],
        "list_id": entry["list_id"],
        "entry_id": entry["entry_id"],
        "version": entry["version"] + 1,
        "status": status,
        "person_id": person_id,
        "person_scope": person_scope,
        "note": note,
        "at": at,
        "by": by,
    }


async def schedule_change(*, db: Database, clock: Clock, change: dict[str, Any]) -> bool:
    """Store the change's report job; False when that version was already taken."""
    return await schedule(
        db,
        job_id=job_id(change["entry"], change["version"]),
        kind=KIND,
        due_at=clock.now(),
        payload=change,
        clock=clock,
    )


async def schedule_receipts(*, db: Database, clock: Clock, entries: list[dict[str, Any]]) -> None:
    """Report each new entry as received (version 1); a retried push schedules nothing twice."""
    for start in range(0, len(entries), SCHEDULE_BATCH):
        batch = entries[start : start + SCHEDULE_BATCH]
        await asyncio.gather(*(_schedule_receipt(db, clock, e) for e in batch))


async def _schedule_receipt(db: Database, clock: Clock, entry: dict[str, Any]) -> None:
    receipt = {
        "entry": entry["_id"],
        "list_id": entry["list_id"],
        "entry_id": entry["entry_id"],
        "version": 1,
        "status": entry["status"],
        "person_id": entry["person_id"],
        "at": entry["received_at"],
    }
    await schedule(db, job_id=job_id(entry["_id"], 1), kind=KIND, due_at=clock.now(), payload=receipt, clock=clock)


async def deliver_report(context: JobContext) -> None:
    """Post the report of one status version; raise to be retried later."""
    change, settings = context.payload, context.settings
    if not isinstance(settings, RegistrySettings):
        raise TypeError("assist-list reports need the registry's settings")
    entry = await _applied(context, change)
    if entry is None:
        return  # the list is gone; nothing is left to report on
    attempt = await webhooks.deliver(
        db=context.db,
        clock=context.clock,
        endpoint=settings.assist_report_endpoint(),
        delivery_id=str(context.job["_id"]),
        attempt=int(context.job["attempts"]),
        payload=report_body(change),
        tags={k: change[k] for k in ("list_id", "entry_id", "version", "status")} | {"scope": entry["scope"]},
    )
    if attempt.outcome is webhooks.Outcome.FAILED:
        raise webhooks.DeliveryFailed(attempt.error or "delivery failed")


async def _applied(context: JobContext, change: dict[str, Any]) -> dict[str, Any] | None:
    """The entry once this change is on it; the change is applied here only when its request died."""
    # The request that stored this job applies the change a moment later, usually first. Writing from here
    # too would race it, and FerretDB applies an update as a separate read and whole-document write, so the
    # job waits for the request and takes over only once the request is clearly gone.
    db, version = context.db, change["version"]
    for _ in range(APPLY_WAIT_ROUNDS):
        entry: dict[str, Any] | None = await db[ENTRIES].find_one({"_id": change["entry"]})
        if entry is None or entry["version"] >= version:
            return entry
        await asyncio.sleep(APPLY_WAIT_SECONDS)
    if context.clock.now() - context.job["created_at"] < ORPHANED_AFTER:
        raise ChangeNotApplied("the change's request has not applied it yet")
    entry = await apply_change(db=db, change=change)
    if entry is not None and entry["version"] < version:
        raise ChangeNotApplied("an earlier status version is not applied yet")
    return entry


class ChangeNotApplied(Exception):
    """The entry does not hold the reported version yet; the job retries after its backoff."""


def report_body(change: dict[str, Any]) -> dict[str, Any]:
    """What the platform is told: ids and status only, never a document number or phone."""
    body = {k: change[k] for k in ("list_id", "entry_id", "status", "version")}
    if change["person_id"]:
        body["person_id"] = change["person_id"]
    return {**body, "updated_at": change["at"]}


async def summaries(*, db: Database, entries: list[dict[str, Any]]) -> dict[str, ReportRead]:
    """The report-back state of each entry's current version, from the delivery log (one query per page)."""
    wanted = {job_id(e["_id"], e["version"]): e for e in entries}
    latest: dict[str, dict[str, Any]] = {}
    async for attempt in db[webhooks.COLLECTION].find({"delivery_id": {"$in": list(wanted)}}):
        seen = latest.get(attempt["delivery_id"])
        if seen is None or seen["attempt"] < attempt["attempt"]:
            latest[attempt["delivery_id"]] = attempt
    return {e["_id"]: _summary(e, latest.get(delivery)) for delivery, e in wanted.items()}


def _summary(entry: dict[str, Any], attempt: dict[str, Any] | None) -> ReportRead:
    if attempt is None:
        return ReportRead(version=entry["version"], state=ReportState.SCHEDULED, attempts=0)
    if attempt["outcome"] == webhooks.Outcome.FAILED:
        state = ReportState.FAILED if attempt["attempt"] >= MAX_ATTEMPTS else ReportState.RETRYING
    else:
        state = ReportState(attempt["outcome"])
    return ReportRead(
        version=entry["version"],
        state=state,
        attempts=attempt["attempt"],
        last_status_code=attempt.get("status_code"),
        last_error=attempt.get("error"),
        last_attempt_at=attempt["attempted_at"],
    )


JOB = JobKind(KIND, deliver_report, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF)
