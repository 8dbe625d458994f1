"""Cut-off timers are stored jobs, one per community and day, named by the cut-off time they fire at.

Naming the job by its time lets a changed cut-off schedule a new job without touching the old one: the old
one finds the setting moved on and does nothing, and a day already judged is never judged twice.
"""

from __future__ import annotations

from gridline import jobs
from gridline.clock import Clock
from gridline.mongo import Database

from monitoring.communities import service as communities
from monitoring.days import cutoff_at, parse

KIND = "checkin-cutoff"
DAYS = "cutoff_days"  # one marker per community and judged day


def job_id(community_code: str, day: str, hhmm: str) -> str:
    return f"cutoff:{community_code}:{day}@{hhmm}"


async def ensure(*, db: Database, clock: Clock, community_code: str, day: str) -> None:
    """Make sure `day`'s cut-off job exists for the community's current cut-off time (idempotent)."""
    hhmm = await communities.cutoff_time(db=db, community_code=community_code)
    await jobs.schedule(
        db,
        job_id=job_id(community_code, day, hhmm),
        kind=KIND,
        due_at=cutoff_at(parse(day), hhmm),
        payload={"community_code": community_code, "day": day, "cutoff_time": hhmm},
        clock=clock,
    )


async def judged(*, db: Database, community_code: str, day: str) -> bool:
    return await db[DAYS].find_one({"_id": f"{community_code}:{day}"}, {"_id": 1}) is not None
