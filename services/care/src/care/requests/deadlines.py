"""Response deadlines as stored jobs: `request.overdue` once per request and deadline, at the deadline.

Each request gets two jobs (acknowledge by, fulfil by) with ids derived from the request, scheduled before
the request is stored, so no request exists without its timers (a request whose insert failed leaves jobs
that find nothing and do nothing). A job fires when the injectable clock passes its due time. The overdue
mark and its event are one write guarded by the request's version and the mark's absence, so a second
runner (another replica, or a re-run after a crash) finds the mark and does nothing; the event's id derives
from the request and deadline, so even a duplicate could be told apart by consumers.
"""

from __future__ import annotations

from typing import Any

from gridline import jobs
from gridline.clock import Clock
from gridline.events import derived_id
from gridline.jobs import JobContext, JobKind
from gridline.mongo import Database, update_guarded
from gridline.outbox import with_events

from care.requests import events
from care.requests.documents import COLLECTION, event, history
from care.vocabulary import CLOSED, Status

KIND = "care.request-deadline"
MISSED = ("acknowledge", "fulfil")
ATTEMPTS = 5


def job_id(request_id: str, missed: str) -> str:
    return f"{KIND}:{request_id}:{missed}"


async def schedule_for(*, db: Database, clock: Clock, request: dict[str, Any]) -> None:
    """The request's two timers; scheduling them again is a no-op."""
    for missed in MISSED:
        await jobs.schedule(
            db,
            job_id=job_id(request["_id"], missed),
            kind=KIND,
            due_at=request[f"{missed}_by"],
            payload={"request_id": request["_id"], "missed": missed},
            clock=clock,
        )


def still_due(request: dict[str, Any], missed: str) -> bool:
    """Whether the deadline is unmet and not yet announced."""
    if (request.get("overdue") or {}).get(missed):
        return False
    if missed == "acknowledge":
        return request["status"] in (Status.OPEN, Status.ASSIGNED)
    return request["status"] not in CLOSED


async def run(ctx: JobContext) -> None:
    """Job handler: announce a missed deadline, once."""
    request_id, missed = ctx.payload["request_id"], ctx.payload["missed"]
    coll = ctx.db[COLLECTION]
    for _ in range(ATTEMPTS):
        request = await coll.find_one({"_id": request_id})
        if request is None or not still_due(request, missed):
            return
        now = ctx.clock.now()
        guard = {"version": request["version"], f"overdue.{missed}": None}
        entry = history(now, "deadline", f"overdue_{missed}", Status(request["status"]))
        update = {"$set": {f"overdue.{missed}": now}, "$push": {"history": entry}}
        if await update_guarded(
            coll, request_id, guard, with_events(update, [_overdue(request, missed, ctx)], clock=ctx.clock)
        ):
            return
    raise RuntimeError(f"request {request_id} kept changing; the deadline job will run again")


def _overdue(request: dict[str, Any], missed: str, ctx: JobContext) -> Any:
    data = events.RequestOverdue(
        request_id=request["_id"],
        community_code=request["community_code"],
        grid_id=request["grid_id"],
        person_id=request["person_id"],
        type=request["type"],
        priority=request["priority"],
        missed=missed,
        due_at=request[f"{missed}_by"],
        at=ctx.clock.now(),
        helper_id=(request.get("assignee") or {}).get("helper_id"),
    )
    event_id = derived_id("care.deadlines", request["_id"], f"{events.OVERDUE.type}|{missed}")
    return event(events.OVERDUE, request, data, clock=ctx.clock, event_id=event_id)


JOB = JobKind(KIND, run)
