"""Transfers and merges follow the person: the open plan moves with them, a duplicate's plan joins the survivor.

Registry's transfer, merge and the classification they may cause share one person version. Transfers are
remembered as `location_version`, and a plan moved to a survivor takes the version before the merge, so
the classification the same change caused still applies afterwards.
"""

from __future__ import annotations

from typing import Any

from gridline.clock import Clock, local_today
from gridline.events import Event
from gridline.mongo import BulkWriteError, Database, DuplicateKeyError

from monitoring.cutoff import schedule as cutoffs
from monitoring.plans import events, shaping, store
from monitoring.plans.following import ATTEMPTS, CONSUMER, PlanContention
from monitoring.plans.inbound import PersonMerged, PersonTransferred, PersonUpdated


async def follow_transfer(*, db: Database, clock: Clock, event: Event, data: PersonTransferred) -> None:
    """Move the open plan to the person's new community and grid, so its workers see and judge it."""
    for _ in range(ATTEMPTS):
        plan = await store.open_plan_of(db=db, person_id=data.person_id)
        if plan is None or plan.get("location_version", 0) >= data.version:
            return
        fields = {**shaping.location(data.community_code, data.grid_id, plan), "location_version": data.version}
        if await _move(db, clock, event, plan, fields):
            return
    raise PlanContention(data.person_id)


async def follow_merge(*, db: Database, clock: Clock, event: Event, data: PersonMerged) -> None:
    """The duplicate's open plan becomes the survivor's, unless the survivor has one: then it is cancelled."""
    for _ in range(ATTEMPTS):
        duplicate = await store.open_plan_of(db=db, person_id=data.merged_person_id)
        if duplicate is None:
            return
        if await store.open_plan_of(db=db, person_id=data.person_id) is not None:
            if await _cancel(db, clock, event, duplicate, reason="merged"):
                return
            continue
        fields = {
            "person_id": data.person_id,
            "open_key": data.person_id,
            "person_version": data.version - 1,
            "location_version": data.version,
            **shaping.location(data.community_code, data.grid_id, duplicate),
        }
        if await _move(db, clock, event, duplicate, fields, previous_person_id=data.merged_person_id):
            return
    raise PlanContention(data.person_id)


async def retire(*, db: Database, clock: Clock, event: Event, data: PersonUpdated) -> None:
    """A record merged into another person is no longer monitored under its own id."""
    if data.status != "merged":
        return
    for _ in range(ATTEMPTS):
        plan = await store.open_plan_of(db=db, person_id=data.person_id)
        if plan is None or await _cancel(db, clock, event, plan, reason="merged"):
            return
    raise PlanContention(data.person_id)


async def _move(
    db: Database,
    clock: Clock,
    event: Event,
    plan: dict[str, Any],
    fields: dict[str, Any],
    previous_person_id: str | None = None,
) -> bool:
    moved = "community_code" in fields or "grid_id" in fields or previous_person_id is not None
    outgoing = []
    if moved:
        changed = store.after(plan, fields)
        outgoing.append(
            store.plan_event(
                events.CHANGED,
                changed,
                clock=clock,
                cause=event,
                consumer=CONSUMER,
                change="moved" if previous_person_id is None else "other",
                previous_measure=plan["measure"],
                previous_person_id=previous_person_id,
            )
        )
    try:
        written = await store.write(db=db, clock=clock, plan=plan, fields=fields, outgoing=outgoing)
    except (DuplicateKeyError, BulkWriteError) as exc:
        if not _duplicate_key(exc):
            raise
        return False  # the survivor got an open plan meanwhile: the next round cancels this one instead
    if written and "community_code" in fields:
        day = max(plan["first_day"], local_today(clock).isoformat())
        await cutoffs.ensure(db=db, clock=clock, community_code=fields["community_code"], day=day)
    return written


async def _cancel(db: Database, clock: Clock, event: Event, plan: dict[str, Any], *, reason: str) -> bool:
    fields = store.closing(plan, status="cancelled", reason=reason, clock=clock)
    cancelled = store.plan_event(
        events.CANCELLED, store.after(plan, fields), clock=clock, cause=event, consumer=CONSUMER, reason=reason
    )
    return await store.write(db=db, clock=clock, plan=plan, fields=fields, outgoing=[cancelled])


def _duplicate_key(exc: Exception) -> bool:
    if isinstance(exc, DuplicateKeyError):
        return True
    errors = getattr(exc, "details", {}).get("writeErrors", [])
    return bool(errors) and all(e.get("code") == 11000 for e in errors)
