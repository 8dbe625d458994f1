"""The end of a home measure's period: the person leaves the home-isolated group (a stored job)."""

from __future__ import annotations

from gridline.clock import local_today
from gridline.jobs import JobContext, JobKind
from gridline.mongo import update_guarded

from care.members.facts import grouping, member_groups
from care.members.service import ISOLATION_END
from care.members.store import COLLECTION

ATTEMPTS = 5


async def end(ctx: JobContext) -> None:
    """Job handler: only the period it was scheduled for ends; an extended period has its own job."""
    member_id, ends_on = ctx.payload["member_id"], ctx.payload["ends_on"]
    coll = ctx.db[COLLECTION]
    for _ in range(ATTEMPTS):
        member = await coll.find_one({"_id": member_id})
        if member is None or (member.get("isolation") or {}).get("ends_on") != ends_on:
            return
        groups = member_groups(member.get("special_groups", []), None, local_today(ctx.clock))
        merged = member["status"] == "merged"
        fields = {
            "isolation": None,
            "status": "merged" if merged else ("active" if groups else "inactive"),
            **grouping(member["community_code"], member["grid_id"], [] if merged else groups),
            "updated_at": ctx.clock.now(),
        }
        if await update_guarded(coll, member_id, {"rev": member["rev"]}, {"$set": fields, "$inc": {"rev": 1}}):
            return
    raise RuntimeError(f"member {member_id} kept changing; the isolation end will run again")


JOB = JobKind(ISOLATION_END, end)
