"""Publishing a day's reports at the configured time, and pushing them to the provincial platform.

Both are stored jobs, so they survive restarts and run once with several replicas. The publish job for a
day and revision inserts one report document per division, each with its `daily_report.published` event,
so a job run again after a crash publishes nothing twice; then it stores the push job (signed, retried by
the job runner, every attempt in the delivery log) and, for a first revision, the next day's publish job.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from gridline import webhooks
from gridline.clock import Clock
from gridline.jobs import JobContext, JobKind, schedule
from gridline.mongo import Database, Index, insert_new, read
from gridline.outbox import make_event, new_document

from duty.reports import events, rollup
from duty.reports.ledger import COUNTERS
from duty.reports.models import Counts
from duty.reports.service import DAYS, paged
from duty.settings import DutySettings
from duty.timing import at_local, parse_hhmm

REPORTS = "daily_reports"
INDEXES = [
    Index(REPORTS, (("day", 1), ("revision", 1), ("_id", 1))),
    Index(webhooks.COLLECTION, (("tags.kind", 1), ("tags.day", 1), ("_id", 1))),
]
PUBLISH = "daily-report.publish"
PUSH = "daily-report.push"
SOURCE = "/gridline/duty"
# 30 s doubling over 10 attempts: the last try about 4 h after publication, through a maintenance window.
PUSH_BACKOFF = timedelta(seconds=30)
PUSH_ATTEMPTS = 10


async def schedule_publication(*, db: Database, clock: Clock, settings: DutySettings, day: date, revision: int) -> None:
    """A day's first revision is due at the report time of the next morning; a recomputed one at once."""
    due = at_local(day + timedelta(days=1), parse_hhmm(settings.daily_report_time)) if revision == 1 else clock.now()
    await schedule(
        db,
        job_id=f"{PUBLISH}:{day.isoformat()}:r{revision}",
        kind=PUBLISH,
        due_at=due,
        payload={"day": day.isoformat(), "revision": revision},
        clock=clock,
    )


async def publish(context: JobContext) -> None:
    settings = context.settings
    assert isinstance(settings, DutySettings)
    db, clock = context.db, context.clock
    day, revision = date.fromisoformat(context.payload["day"]), int(context.payload["revision"])
    documents = [
        _report(division, counts, seen, day, revision, clock)
        for division, (counts, seen) in (rollup.by_division(await _all_counters(db=db, day=day)).items())
    ]
    await insert_new(db[REPORTS], documents)  # those published before a crash stay as they were
    await db[DAYS].update_one(
        {"_id": day.isoformat()}, {"$max": {"revision": revision}, "$set": {"published_at": clock.now()}}, upsert=True
    )
    await schedule(
        db,
        job_id=f"{PUSH}:{day.isoformat()}:r{revision}",
        kind=PUSH,
        due_at=clock.now(),
        payload={"day": day.isoformat(), "revision": revision},
        clock=clock,
    )
    if revision == 1:
        await schedule_publication(db=db, clock=clock, settings=settings, day=day + timedelta(days=1), revision=1)


async def _all_counters(*, db: Database, day: date) -> list[dict[str, Any]]:
    return await paged(db=db, collection=COUNTERS, query={"day": day.isoformat()}, projection={"applied": 0})


def _report(division: str, counts: dict[str, Any], seen: int, day: date, revision: int, clock: Clock) -> dict[str, Any]:
    report_id = f"{division}:{day.isoformat()}:r{revision}"
    full = Counts.model_validate(counts).model_dump(mode="json")  # every field, zeros included
    data = events.DailyReportPublished(
        report_id=report_id,
        division_code=division,
        day=day,
        counts=full,
        at=clock.now(),
        revision=revision,
        level=len(division),
        communities=seen,
    )
    event = make_event(events.PUBLISHED, source=SOURCE, key=division, data=data, clock=clock, event_id=report_id)
    document = {
        "_id": report_id,
        "division_code": division,
        "level": len(division),
        "day": day.isoformat(),
        "revision": revision,
        "communities": seen,
        "counts": full,
        "published_at": clock.now(),
    }
    return new_document(document, [event], clock=clock)


async def push(context: JobContext) -> None:
    """One signed attempt of the day's push; a failure raises, so the job runner retries after its backoff."""
    settings = context.settings
    assert isinstance(settings, DutySettings)
    day, revision = context.payload["day"], int(context.payload["revision"])
    reports = await read(
        context.db[REPORTS].find({"day": day, "revision": revision}, {"_outbox": 0, "_outbox_at": 0}).sort("_id", 1),
        None,
    )
    body = {
        "report_id": f"{day}:r{revision}",
        "day": day,
        "revision": revision,
        # When the report was made, not when this attempt is: every attempt sends the very same body.
        "generated_at": context.job["created_at"],
        "divisions": [{k: r[k] for k in ("division_code", "level", "communities", "counts")} for r in reports],
    }
    attempt = await webhooks.deliver(
        db=context.db,
        clock=context.clock,
        endpoint=settings.report_endpoint(),
        delivery_id=str(context.job["_id"]),
        attempt=int(context.job["attempts"]),
        payload=body,
        tags={"kind": "daily-report", "day": day, "revision": revision},
    )
    if attempt.outcome is webhooks.Outcome.FAILED:
        raise webhooks.DeliveryFailed(attempt.error or "delivery failed")


JOBS = [
    JobKind(PUBLISH, publish, max_attempts=10),
    JobKind(PUSH, push, max_attempts=PUSH_ATTEMPTS, backoff=PUSH_BACKOFF),
]
