"""Plans follow classifications: a measure opens one plan, a new classification ends the older ones."""

from __future__ import annotations

import contextlib
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import NotFound
from gridline.events import Event, derived_id
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, DuplicateKeyError, Index, update_guarded
from gridline.outbox import make_event, new_document, with_events

from monitoring.plans import events
from monitoring.plans.inbound import PersonClassified, PersonTransferred, PersonUpdated
from monitoring.plans.models import PlanRead

COLLECTION = "plans"
INDEXES = [Index(COLLECTION, (("scope", 1), ("_id", 1))), Index(COLLECTION, (("person_id", 1), ("status", 1)))]
SOURCE = "/gridline/monitoring"
CONSUMER = "monitoring.plans"


async def follow_classification(*, db: Database, clock: Clock, event: Event, data: PersonClassified) -> None:
    """Open a plan for the new measure and end the person's other open plans. Safe to run twice."""
    newer = await db[COLLECTION].find_one({"person_id": data.person_id, "person_version": {"$gt": data.version}})
    if newer is not None:
        return  # a replay of an older classification: a newer one already decided the plans
    plan_id = derived_id(CONSUMER, event.id, "plan") if data.measure != "none" else None
    if plan_id:
        await _open(db, clock, event, data, plan_id)
    await _end_others(db, clock, event, data, keep=plan_id)


async def _open(db: Database, clock: Clock, event: Event, data: PersonClassified, plan_id: str) -> None:
    starts_on = data.starts_on or clock.now().date()
    ends_on = data.ends_on or starts_on
    plan = {
        "_id": plan_id,
        "person_id": data.person_id,
        "community_code": data.community_code,
        "grid_id": data.grid_id,
        "scope": scope_keys(data.community_code, data.grid_id),
        "measure": data.measure,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "nat_dates": [d.isoformat() for d in data.nat_dates],
        "rule_set_id": data.rule_set_id,
        "rule_set_version": data.rule_set_version,
        "rule_id": data.rule_id,
        "person_version": data.version,
        "status": "active",
        "opened_at": clock.now(),
        "cause_event_id": event.id,
    }
    started = make_event(
        events.STARTED,
        source=SOURCE,
        key=plan_id,
        clock=clock,
        cause=event,
        consumer=CONSUMER,
        data=events.PlanStarted(
            plan_id=plan_id,
            person_id=data.person_id,
            community_code=data.community_code,
            grid_id=data.grid_id,
            measure=data.measure,
            starts_on=starts_on,
            ends_on=ends_on,
            nat_dates=data.nat_dates,
            rule_set_id=data.rule_set_id,
            rule_set_version=data.rule_set_version,
            rule_id=data.rule_id,
        ),
    )
    # Delivered before: the plan (and its event) already exist, so the insert collides and we are done.
    with contextlib.suppress(DuplicateKeyError):
        await db[COLLECTION].insert_one(new_document(plan, [started], clock=clock))


async def _end_others(
    db: Database, clock: Clock, event: Event, data: PersonClassified | _Retired, keep: str | None
) -> None:
    older = {"person_id": data.person_id, "status": "active", "person_version": {"$lt": data.version}}
    others = await db[COLLECTION].find({**older, "_id": {"$ne": keep}}, {"_id": 1, "community_code": 1}).to_list(None)
    for plan in others:
        ended = make_event(
            events.ENDED,
            source=SOURCE,
            key=plan["_id"],
            clock=clock,
            cause=event,
            consumer=f"{CONSUMER}.end.{plan['_id']}",
            data=events.PlanEnded(
                plan_id=plan["_id"],
                person_id=data.person_id,
                community_code=plan["community_code"],
                reason="reclassified",
            ),
        )
        # The status guard makes this a no-op when a redelivery finds the plan already ended.
        await update_guarded(
            db[COLLECTION],
            plan["_id"],
            {"status": "active"},
            with_events(
                {"$set": {"status": "ended", "ended_at": clock.now(), "end_cause_event_id": event.id}},
                [ended],
                clock=clock,
            ),
        )


async def get(*, db: Database, principal: Principal, plan_id: str) -> dict[str, Any]:
    plan = await db[COLLECTION].find_one({"_id": plan_id, **principal.scope_filter()})
    if plan is None:
        raise NotFound("plan")
    return plan


async def list_page(*, db: Database, principal: Principal, filters: dict[str, Any], page: PageParams) -> Page[PlanRead]:
    query = {**principal.scope_filter(), **{k: v for k, v in filters.items() if v is not None}}
    return await paginate(db[COLLECTION], query, page, to_read)


def to_read(doc: dict[str, Any]) -> PlanRead:
    return PlanRead.model_validate({**doc, "id": doc["_id"]})


async def follow_transfer(*, db: Database, data: PersonTransferred) -> None:
    """Open plans move with the person, so the new community's workers see them (setting twice is harmless)."""
    await db[COLLECTION].update_many(
        {"person_id": data.person_id, "status": "active"},
        {
            "$set": {
                "community_code": data.community_code,
                "grid_id": data.grid_id,
                "scope": scope_keys(data.community_code, data.grid_id),
            }
        },
    )


async def end_for_retired_person(*, db: Database, clock: Clock, event: Event, data: PersonUpdated) -> None:
    """A record merged into another person is no longer monitored; the survivor's own plans carry on."""
    if data.status != "merged":
        return
    await _end_others(db, clock, event, _Retired(data.person_id, data.version + 1), keep=None)


class _Retired:
    def __init__(self, person_id: str, version: int) -> None:
        self.person_id, self.version = person_id, version
