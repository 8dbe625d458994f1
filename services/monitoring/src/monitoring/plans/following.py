"""Plans follow registry's classifications: one open plan per person, changed in place, never stacked.

Every handler here is safe to run twice. A classification remembers the person version it applied, so an
older or repeated one changes nothing; a plan opened by a classification takes an id derived from that
event, so a redelivery collides with it; every change is a version-guarded write carrying its event.
"""

from __future__ import annotations

from typing import Any

from gridline.auth import scope_keys
from gridline.clock import Clock, local_today
from gridline.events import Event, derived_id
from gridline.mongo import Database, DuplicateKeyError
from gridline.outbox import new_document

from monitoring.communities import service as communities
from monitoring.cutoff import schedule as cutoffs
from monitoring.plans import events, shaping, store
from monitoring.plans.inbound import PersonClassified
from monitoring.rules import service as rules
from monitoring.settings import MonitoringSettings

CONSUMER = "monitoring.plans"
ATTEMPTS = 5  # a guarded write lost to a concurrent change is recomputed from the fresh plan


class PlanContention(Exception):
    """The plan kept changing under us; the consumer retries the event."""


async def follow_classification(
    *, db: Database, clock: Clock, settings: MonitoringSettings, event: Event, data: PersonClassified
) -> None:
    """Open a plan for a new measure, or change (extend, tighten, relax, end) the person's open one."""
    found = await rules.for_community(
        db=db, community_code=data.community_code, cache_seconds=settings.rules_cache_seconds
    )
    per_day = found.per_day(data.measure)
    for _ in range(ATTEMPTS):
        if await _already_applied(db, data.person_id, data.version):
            return
        plan = await store.open_plan_of(db=db, person_id=data.person_id)
        if plan is None:
            if not shaping.to_monitor(data, today=local_today(clock)) or await _open(db, clock, event, data, per_day):
                return
        elif await _change(db, clock, event, plan, data, per_day):
            return
    raise PlanContention(data.person_id)


async def _already_applied(db: Database, person_id: str, version: int) -> bool:
    query = {"person_id": person_id, "person_version": {"$gte": version}}
    return await db[store.COLLECTION].find_one(query, {"_id": 1}) is not None


async def _open(db: Database, clock: Clock, event: Event, data: PersonClassified, per_day: int) -> bool:
    """Insert the plan; False when another plan became the person's open one meanwhile."""
    plan_id = derived_id(CONSUMER, event.id, "plan")
    fields = shaping.classified_fields(data, today=local_today(clock), per_day=per_day)
    cutoff = await communities.cutoff_time(db=db, community_code=data.community_code)
    plan = {
        "_id": plan_id,
        "person_id": data.person_id,
        "open_key": data.person_id,
        "community_code": data.community_code,
        "grid_id": data.grid_id,
        "scope": scope_keys(data.community_code, data.grid_id),
        **fields,
        "first_day": shaping.first_day(opened_at=clock.now(), cutoff_time=cutoff, starts_on=fields["starts_on"]),
        "status": "active",
        "version": 1,
        "missed_streak": {"count": 0, "last_day": None},
        "opened_at": clock.now(),
        "cause_event_id": event.id,
    }
    started = store.plan_event(events.STARTED, plan, clock=clock, cause=event, consumer=CONSUMER)
    try:
        await db[store.COLLECTION].insert_one(new_document(plan, [started], clock=clock))
    except DuplicateKeyError:
        if await db[store.COLLECTION].find_one({"_id": plan_id}, {"_id": 1}) is None:
            return False  # the person's open-plan key is taken: change that plan instead
    await cutoffs.ensure(db=db, clock=clock, community_code=data.community_code, day=plan["first_day"])
    return True


async def _change(
    db: Database, clock: Clock, event: Event, plan: dict[str, Any], data: PersonClassified, per_day: int
) -> bool:
    outcome = shaping.reclassified(plan, data, today=local_today(clock), per_day=per_day)
    fields, outgoing = dict(outcome.fields), []
    if outcome.ends:
        fields.update(store.closing(plan, status="completed", reason="released", clock=clock))
        outgoing.append(
            store.plan_event(
                events.COMPLETED,
                store.after(plan, fields),
                clock=clock,
                cause=event,
                consumer=CONSUMER,
                ended_by="released",
            )
        )
    elif outcome.kind is not None:
        outgoing.append(
            store.plan_event(
                events.CHANGED,
                store.after(plan, fields),
                clock=clock,
                cause=event,
                consumer=CONSUMER,
                change=outcome.kind,
                previous_measure=plan["measure"],
            )
        )
    if not fields:
        return True
    if not await store.write(db=db, clock=clock, plan=plan, fields=fields, outgoing=outgoing):
        return False
    if "community_code" in fields and not outcome.ends:
        await cutoffs.ensure(db=db, clock=clock, community_code=fields["community_code"], day=_from_today(plan, clock))
    return True


def _from_today(plan: dict[str, Any], clock: Clock) -> str:
    return max(str(plan["first_day"]), local_today(clock).isoformat())
