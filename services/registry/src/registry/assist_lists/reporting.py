"""Report-back: what the platform is told, posted signed to its webhook by stored jobs.

A received list is acknowledged by one receipt, keyed by the list, that reports every entry at version 1.
Each later status of an entry is a report of its own, keyed by entry and status version. That job is also
the durable record of a worker's change: it is stored before the entry is updated, and its handler applies
the change if the request died in between. So a change is never applied without its report, and
scheduling the same receipt or version twice does nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from gridline import webhooks
from gridline.clock import Clock
from gridline.jobs import JobContext, JobKind, schedule
from gridline.mongo import Database

from registry.assist_lists.models import EntryStatus, ReportRead, ReportState
from registry.assist_lists.store import ENTRIES, apply_change
from registry.settings import RegistrySettings

KIND = "assist-list.report"
RECEIPT_KIND = "assist-list.receipt"
MAX_ATTEMPTS = 10
# 15 s doubling over 10 attempts: the last try is about 2 h after the change, long enough to ride out
# a maintenance window of the receiving platform.
BACKOFF = timedelta(seconds=15)
APPLY_WAIT_ROUNDS = 40
APPLY_WAIT_SECONDS = 0.05
# Far longer than any request takes: a change still unapplied by then lost its request to a crash.
ORPHANED_AFTER = timedelta(seconds=60)


def job_id(entry: str, version: int) -> str:
    return f"{KIND}:{entry}:v{version:04d}"


def receipt_job_id(list_id: str) -> str:
    return f"{RECEIPT_KIND}:{list_id}"


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


async def schedule_receipt(
    *, db: Database, clock: Clock, list_id: str, received_at: datetime, entries: Iterable[dict[str, Any]]
) -> bool:
    """Store the list's one receipt job; False when it is stored already (a retried or resumed push)."""
    return await schedule(
        db,
        job_id=receipt_job_id(list_id),
        kind=RECEIPT_KIND,
        due_at=clock.now(),
        payload=receipt_body(list_id=list_id, received_at=received_at, entries=entries),
        clock=clock,
    )


def receipt_body(*, list_id: str, received_at: datetime, entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The list's receipt as the platform is told it, and as its job stores it: every entry at version 1.

    Each entry is reported as a status report is, `{entry_id, status, version, person_id?, updated_at}`:
    ids and status only, never a document number, phone or name.
    """
    reported = []
    for entry in entries:
        item = {"entry_id": entry["entry_id"], "status": entry["status"], "version": 1}
        if entry["person_id"]:
            item["person_id"] = entry["person_id"]
        reported.append({**item, "updated_at": entry["received_at"]})
    return {"list_id": list_id, "received_at": received_at, "entries": reported}


async def deliver_receipt(context: JobContext) -> None:
    """Post a list's receipt; raise to be retried later."""
    receipt = context.payload
    # Everyone who sees an entry of the list finds the receipt in the list's delivery log.
    scope = await context.db[ENTRIES].distinct("scope", {"list_id": receipt["list_id"]})
    if not scope:
        return  # the list is gone; nothing is left to report on
    tags = {
        "list_id": receipt["list_id"],
        "entry_id": None,
        "entries": len(receipt["entries"]),
        "version": 1,
        "status": EntryStatus.PENDING.value,  # every entry is received pending
        "scope": sorted(scope),
    }
    await _post(context, receipt, tags)


async def deliver_report(context: JobContext) -> None:
    """Post the report of one status version; raise to be retried later."""
    change = context.payload
    entry = await _applied(context, change)
    if entry is None:
        return  # the list is gone; nothing is left to report on
    tags = {k: change[k] for k in ("list_id", "entry_id", "version", "status")} | {"scope": entry["scope"]}
    await _post(context, report_body(change), tags)


async def _post(context: JobContext, payload: dict[str, Any], tags: dict[str, Any]) -> None:
    """One signed attempt, logged under the job's id; a failure raises, so the job retries after its backoff."""
    settings = context.settings
    if not isinstance(settings, RegistrySettings):
        raise TypeError("assist-list reports need the registry's settings")
    attempt = await webhooks.deliver(
        db=context.db,
        clock=context.clock,
        endpoint=settings.assist_report_endpoint(),
        delivery_id=str(context.job["_id"]),
        attempt=int(context.job["attempts"]),
        payload=payload,
        tags=tags,
    )
    if attempt.outcome is webhooks.Outcome.FAILED:
        raise webhooks.DeliveryFailed(attempt.error or "delivery failed")


async def _applied(context: JobContext, change: dict[str, Any]) -> dict[str, Any] | None:
    """The entry once this change is on it; the change is applied here only when its request died."""
    # The request that stored this job applies the change a moment later, usually first. Writing from here
    # too would race it, so the job waits for the request and takes over only once the request is clearly
    # gone.
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
    """The report-back state of each entry's current version, from the delivery log (one query per page).

    Version 1 is reported by the list's receipt, so every entry still at version 1 shows that delivery.
    """
    wanted = {e["_id"]: _delivery_id(e) for e in entries}
    latest: dict[str, dict[str, Any]] = {}
    async for attempt in db[webhooks.COLLECTION].find({"delivery_id": {"$in": sorted(set(wanted.values()))}}):
        seen = latest.get(attempt["delivery_id"])
        if seen is None or seen["attempt"] < attempt["attempt"]:
            latest[attempt["delivery_id"]] = attempt
    return {e["_id"]: _summary(e, latest.get(wanted[e["_id"]])) for e in entries}


def _delivery_id(entry: dict[str, Any]) -> str:
    return receipt_job_id(entry["list_id"]) if entry["version"] == 1 else job_id(entry["_id"], entry["version"])


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
RECEIPT_JOB = JobKind(RECEIPT_KIND, deliver_receipt, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF)
