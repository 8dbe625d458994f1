"""Gap detection: periods ahead when the community's roster leaves a role uncovered, reported before they happen.

A stored job scans each community with a roster once a day (and at once after every roster change), looking
`gap_lookahead_days` ahead. Each gap is one document keyed by community, role and start, inserted with its
`roster.gap_detected` event, so a gap is reported once however often it is found; a gap that changes shape
(filled in part) starts at another time and is reported again.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.http.pagination import Page, PageParams, paginate
from gridline.jobs import JobContext, JobKind, schedule
from gridline.mongo import Database, DuplicateKeyError
from gridline.outbox import make_event, new_document

from duty.access import scoped_indexes, scoped_query
from duty.rosters import events, rotations
from duty.rosters.models import Gap
from duty.rosters.timeline import uncovered
from duty.settings import DutySettings
from duty.timing import at_local, day_start, local_day, parse_hhmm

COLLECTION = "roster_gaps"
INDEXES = scoped_indexes(COLLECTION)
KIND = "roster.gap-scan"
SOURCE = "/gridline/duty"
# Scans begin this far back, so a gap already under way keeps the start it was first reported with.
LOOKBACK = timedelta(days=7)


async def schedule_scan(*, db: Database, clock: Clock, community_code: str, reason: str) -> None:
    """A scan now, after a roster change (named by `reason`, so a retried request schedules it once)."""
    await schedule(
        db,
        job_id=f"{KIND}:{community_code}:{reason}",
        kind=KIND,
        due_at=clock.now(),
        payload={"community_code": community_code},
        clock=clock,
    )


async def schedule_daily(*, db: Database, clock: Clock, community_code: str, day: date, at: str) -> None:
    await schedule(
        db,
        job_id=f"{KIND}:{community_code}:{day.isoformat()}",
        kind=KIND,
        due_at=at_local(day, parse_hhmm(at)),
        payload={"community_code": community_code},
        clock=clock,
    )


async def scan(context: JobContext) -> None:
    """Job handler: report every gap of one community in the window, then keep the daily scan going."""
    settings = context.settings
    assert isinstance(settings, DutySettings)
    community, now = context.payload["community_code"], context.clock.now()
    start = day_start(local_day(now)) - LOOKBACK
    end = day_start(local_day(now) + timedelta(days=settings.gap_lookahead_days + 1))
    found, changes = await rotations.load(db=context.db, community_code=community, start=start, end=end)
    for role, gap_start, gap_end in uncovered(found, changes, start, end):
        if gap_end > now:
            await _report(
                db=context.db, clock=context.clock, community_code=community, role=role.value, span=(gap_start, gap_end)
            )
    tomorrow = local_day(now) + timedelta(days=1)
    await schedule_daily(
        db=context.db, clock=context.clock, community_code=community, day=tomorrow, at=settings.gap_scan_time
    )


async def _report(
    *, db: Database, clock: Clock, community_code: str, role: str, span: tuple[datetime, datetime]
) -> None:
    starts_at, ends_at = span
    gap_id = gap_key(community_code, role, starts_at)
    event = make_event(
        events.GAP_DETECTED,
        source=SOURCE,
        key=community_code,
        clock=clock,
        event_id=f"{gap_id}:detected",
        data=events.RosterGapDetected(
            community_code=community_code, starts_at=starts_at, ends_at=ends_at, role=role, gap_id=gap_id
        ),
    )
    document = {
        "_id": gap_id,
        "community_code": community_code,
        "scope": scope_keys(community_code),
        "role": role,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "detected_at": clock.now(),
    }
    with contextlib.suppress(DuplicateKeyError):  # reported already
        await db[COLLECTION].insert_one(new_document(document, [event], clock=clock))


def gap_key(community_code: str, role: str, starts_at: datetime) -> str:
    digest = hashlib.sha256(f"{community_code}|{role}|{starts_at.isoformat()}".encode()).hexdigest()[:24]
    return f"gap-{digest}"


async def list_page(*, db: Database, principal: Principal, community_code: str | None, page: PageParams) -> Page[Gap]:
    return await paginate(db[COLLECTION], scoped_query(principal, community_code), page, to_read)


def to_read(doc: dict[str, Any]) -> Gap:
    return Gap(
        community_code=doc["community_code"], role=doc["role"], starts_at=doc["starts_at"], ends_at=doc["ends_at"]
    )


JOB = JobKind(KIND, scan, max_attempts=10)
