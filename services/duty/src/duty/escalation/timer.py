"""The escalation timer: a stored job per incident and level, so it survives restarts and fires once.

The job for level L is keyed by incident and L, so storing it twice stores it once. When it fires it moves
the incident from level L-1 to L in one write guarded by that level and the open status: an acknowledgement
that came first, or another replica that fired the same job, makes the write (and its event) not happen.
Each step then stores the job of the next level; after a crash in between, firing again stores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from gridline.clock import Clock
from gridline.jobs import Job, JobContext, JobKind, schedule_many
from gridline.mongo import Database, update_guarded
from gridline.outbox import with_events

from duty.escalation.policy import Chain
from duty.incidents import events, routing
from duty.incidents.store import COLLECTION, step_event

KIND = "incident.escalate"


async def ensure(*, db: Database, clock: Clock, incident: dict[str, Any]) -> None:
    """Store the job that escalates an open incident past its current level, unless the chain has ended."""
    await ensure_many(db=db, clock=clock, incidents=[incident])


async def ensure_many(*, db: Database, clock: Clock, incidents: Sequence[dict[str, Any]]) -> None:
    """`ensure` for each incident, their jobs stored in one insert."""
    jobs = [job for job in map(_next_job, incidents) if job is not None]
    if jobs:
        await schedule_many(db, jobs, clock=clock)


def _next_job(incident: dict[str, Any]) -> Job | None:
    chain = Chain.from_document(incident["chain"])
    level = incident["level"]
    if incident["status"] != "open" or level >= chain.last_level:
        return None
    # Nobody holds this step's role: do not wait for an acknowledgement that cannot come.
    wait = chain.step(level).wait_minutes if incident.get("assignee") else 0
    return Job(
        id=f"{KIND}:{incident['_id']}:{level + 1}",
        kind=KIND,
        due_at=incident["level_since"] + timedelta(minutes=wait),
        payload={"incident_id": incident["_id"], "level": level + 1},
    )


async def fire(context: JobContext) -> None:
    """Job handler: escalate to the job's level if the incident is still open at the level before it."""
    db, clock = context.db, context.clock
    level = int(context.payload["level"])
    incident = await db[COLLECTION].find_one({"_id": context.payload["incident_id"]})
    if incident is None or incident["status"] != "open":
        return  # acknowledged or resolved in time: the chain stops here
    if incident["level"] >= level:
        await ensure(db=db, clock=clock, incident=incident)  # escalated before a crash: keep the chain going
        return
    after = await _escalate(db=db, clock=clock, incident=incident, level=level)
    if after is not None:
        await ensure(db=db, clock=clock, incident=after)


async def _escalate(*, db: Database, clock: Clock, incident: dict[str, Any], level: int) -> dict[str, Any] | None:
    chain = Chain.from_document(incident["chain"])
    role = chain.step(level).role
    owners = await routing.owners_at(
        db=db,
        community_code=incident["community_code"],
        grid_id=incident.get("grid_id"),
        venue_id=incident.get("venue_id"),
        at=clock.now(),
    )
    target = routing.assignee(owners, role)
    now = clock.now()
    assignee = target.model_dump(mode="json") if target else None
    step = {"level": level, "to_role": role.value, "assignee": assignee, "at": now}
    changes = {
        "level": level,
        "level_since": now,
        "assignee": assignee,
        "changed_at": now,
        "last_step": "escalated",
    }
    after = {**incident, **changes, "version": incident["version"] + 1}
    event = step_event(events.ESCALATED, after, clock=clock, step=str(level), to_role=role.value)
    update = with_events(
        {"$set": changes, "$push": {"escalations": step}, "$inc": {"version": 1}}, [event], clock=clock
    )
    guard = {"level": level - 1, "status": "open"}
    if not await update_guarded(db[COLLECTION], incident["_id"], guard, update):
        return None  # acknowledged, or escalated by another replica, since we read it
    return {**after, "escalations": [*incident.get("escalations", []), step]}


JOB = JobKind(KIND, fire, max_attempts=10)
