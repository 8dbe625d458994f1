"""Each group's visit cadence as a chain of stored jobs: each due visit schedules the next.

The member document names, per group, the due day of its live chain (`visit_chains`). A job acts only if
it is that chain's current link, so a chain is never doubled (a member who leaves and re-joins a group
before the next link keeps the one chain) and a stale link does nothing. Every step is repeat-safe: the
visit, its overdue timer and the next link have ids derived from member, group and day.
"""

from __future__ import annotations

from datetime import date, datetime, time

from gridline import jobs
from gridline.clock import LOCAL_TZ, Clock, local_today
from gridline.jobs import JobContext, JobKind
from gridline.mongo import Database, update_guarded

from care.members.store import COLLECTION as MEMBERS
from care.schedule import next_occurrence
from care.settings import care_settings
from care.visits import service

KIND = "care.visit-due"


def link_id(member_id: str, group: str, due_on: date) -> str:
    return f"{KIND}:{member_id}:{group}:{due_on.isoformat()}"


async def schedule(*, db: Database, clock: Clock, member_id: str, group: str, due_on: date) -> None:
    """The chain link for `due_on`, due at the start of that day; scheduling it again is a no-op."""
    await jobs.schedule(
        db,
        job_id=link_id(member_id, group, due_on),
        kind=KIND,
        due_at=datetime.combine(due_on, time(0, 0), LOCAL_TZ),
        payload={"member_id": member_id, "group": group, "due_on": due_on.isoformat()},
        clock=clock,
    )


async def run(ctx: JobContext) -> None:
    """Job handler: the visit falls due, and the next link is stored before this one hands over."""
    member_id, group, due_on = ctx.payload["member_id"], ctx.payload["group"], ctx.payload["due_on"]
    member = await ctx.db[MEMBERS].find_one({"_id": member_id})
    link = {f"visit_chains.{group}": due_on}
    if member is None or (member.get("visit_chains") or {}).get(group) != due_on:
        return  # not the live chain's current link
    cadence = care_settings(ctx.settings).cadence(group)
    if cadence is None or member["status"] != "active" or group not in member["groups"]:
        await update_guarded(ctx.db[MEMBERS], member_id, link, {"$unset": link, "$inc": {"rev": 1}})
        return
    day = date.fromisoformat(due_on)
    await service.create_due(db=ctx.db, clock=ctx.clock, member=member, group=group, due_on=day, cadence=cadence)
    following = next_occurrence(day, cadence.every_days, not_before=local_today(ctx.clock))
    await schedule(db=ctx.db, clock=ctx.clock, member_id=member_id, group=group, due_on=following)
    # Bumps the revision too, so a registry fact being applied meanwhile re-reads the chains.
    await update_guarded(
        ctx.db[MEMBERS], member_id, link, {"$set": {f"visit_chains.{group}": following.isoformat()}, "$inc": {"rev": 1}}
    )


async def overdue(ctx: JobContext) -> None:
    """Job handler: a visit still due at the end of its grace days is overdue (or dropped if moot)."""
    visit = await ctx.db[service.COLLECTION].find_one({"_id": ctx.payload["visit_id"]}, {"member_id": 1, "group": 1})
    if visit is None:
        return
    member = await ctx.db[MEMBERS].find_one({"_id": visit["member_id"]}, {"status": 1, "groups": 1})
    in_group = bool(member and member["status"] == "active" and visit["group"] in member["groups"])
    await service.mark_overdue(db=ctx.db, clock=ctx.clock, visit_id=visit["_id"], still_in_group=in_group)


JOBS = [JobKind(KIND, run), JobKind(service.OVERDUE_KIND, overdue)]
