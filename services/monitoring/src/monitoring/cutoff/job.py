"""The cut-off job: judge a community's day once, mark its grids closed, and set the next day's timer."""

from __future__ import annotations

from gridline.jobs import JobContext, JobKind

from monitoring.communities import service as communities
from monitoring.cutoff import judging, schedule
from monitoring.days import following
from monitoring.rules import service as rules
from monitoring.stats import store as stats
from monitoring.upserts import upsert_by_id


async def run(ctx: JobContext) -> None:
    community, day, hhmm = ctx.payload["community_code"], ctx.payload["day"], ctx.payload["cutoff_time"]
    if await communities.cutoff_time(db=ctx.db, community_code=community) != hhmm:
        # The cut-off time changed since this timer was set: the timer at the new time judges the day.
        await schedule.ensure(db=ctx.db, clock=ctx.clock, community_code=community, day=day)
        return
    if await schedule.judged(db=ctx.db, community_code=community, day=day):
        return
    found = await rules.for_community(
        db=ctx.db, community_code=community, cache_seconds=ctx.settings.rules_cache_seconds
    )
    tally = await judging.judge_day(
        db=ctx.db, clock=ctx.clock, rules=found, community_code=community, day=day, checkpoint=ctx.checkpoint
    )
    for grid_id in sorted(tally.grids):
        await stats.set_closed(db=ctx.db, day=day, community_code=community, grid_id=grid_id)
    if tally.still_open:
        await schedule.ensure(db=ctx.db, clock=ctx.clock, community_code=community, day=following(day))
    # Marked last: a crash before this runs the day again, which changes nothing already done.
    await upsert_by_id(
        ctx.db[schedule.DAYS],
        f"{community}:{day}",
        {"$setOnInsert": {"judged_at": ctx.clock.now(), "plans": tally.judged, "by": ctx.holder}},
    )


JOB = JobKind(schedule.KIND, run, max_attempts=10)
