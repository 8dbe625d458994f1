"""A plan at the end of a judged day: its run of missed days, its end, or its next stage, in one write."""

from __future__ import annotations

from typing import Any

from gridline.clock import Clock
from gridline.events import Event, EventSpec, derived_id
from gridline.mongo import Database

from monitoring.alerts import raising
from monitoring.cutoff.tally import streak_on
from monitoring.days import following
from monitoring.plans import events as plan_events
from monitoring.plans import shaping, store
from monitoring.plans.following import ATTEMPTS, PlanContention
from monitoring.rules.evaluation import missed_finding
from monitoring.rules.models import MonitoringRules

CONSUMER = "monitoring.cutoff"


async def close_plan_day(
    *, db: Database, clock: Clock, rules: MonitoringRules, plan: dict[str, Any], day: str, missed: bool
) -> None:
    for _ in range(ATTEMPTS):
        fields, outgoing = changes(plan, day=day, missed=missed, rules=rules, clock=clock)
        if not fields or await store.write(db=db, clock=clock, plan=plan, fields=fields, outgoing=outgoing):
            return
        fresh = await db[store.COLLECTION].find_one({"_id": plan["_id"]}, {"_outbox": 0})
        if fresh is None or fresh["status"] != "active":
            return  # ended meanwhile by a re-classification or a merge: nothing left to close
        plan = fresh
    raise PlanContention(plan["person_id"])


def changes(
    plan: dict[str, Any], *, day: str, missed: bool, rules: MonitoringRules, clock: Clock
) -> tuple[dict[str, Any], list[Event]]:
    """The fields and events closing `day` brings to `plan` (none when a rerun finds them applied)."""
    fields: dict[str, Any] = {}
    outgoing: list[Event] = []
    if missed and (plan.get("missed_streak") or {}).get("last_day") != day:
        count = streak_on(plan, day)
        fields["missed_streak"] = {"count": count, "last_day": day}
        finding = missed_finding(rules, count)
        if finding is not None:
            outgoing.append(raising.raised_event(finding, _cause(plan, day), at=clock.now(), clock=clock))
    if plan["ends_on"] <= day:
        fields.update(store.closing(plan, status="completed", reason="schedule", clock=clock))
        outgoing.append(_event(plan_events.COMPLETED, plan, fields, day, clock, ended_by="schedule"))
        return fields, outgoing
    upcoming = shaping.stage_measure(plan["stages"], following(day))
    if upcoming is not None and upcoming != plan["measure"]:
        fields.update(measure=upcoming, checkins_per_day=rules.per_day(upcoming))
        change = shaping.change_kind(plan, {**plan, **fields})
        outgoing.append(
            _event(
                plan_events.CHANGED,
                plan,
                fields,
                day,
                clock,
                change=change,
                previous_measure=plan["measure"],
                effective_on=following(day),
            )
        )
    return fields, outgoing


def _cause(plan: dict[str, Any], day: str) -> raising.Cause:
    return raising.Cause(
        key=f"{plan['_id']}:{day}:missed",
        community_code=plan["community_code"],
        grid_id=plan["grid_id"],
        person_id=plan["person_id"],
        plan_id=plan["_id"],
    )


def _event(
    spec: EventSpec, plan: dict[str, Any], fields: dict[str, Any], day: str, clock: Clock, **extra: Any
) -> Event:
    # Derived from the plan and the day: a cut-off that runs again announces nothing new.
    event_id = derived_id(CONSUMER, f"{plan['_id']}:{day}", spec.type)
    return store.plan_event(spec, store.after(plan, fields), clock=clock, event_id=event_id, **extra)
