"""Projecting monitoring's events onto the day's figures, each event exactly once.

Each plan keeps what the figures know of it (its days, measures and slots) in one document. An event about
the plan changes that state and, in the same guarded write, carries the `figures.counted` event with the
difference it made, so the rows are published exactly when the state moves, once, whatever crashes. A
redelivered event finds its mark and changes nothing. Alerts depend on no state: each gets a document of
its own, inserted once by its event's id, that carries its rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from gridline.clock import Clock
from gridline.events import Event, derived_id
from gridline.mongo import Database, DuplicateKeyError, insert_new, read, update_guarded
from gridline.outbox import make_event, new_document, with_events

from monitoring.days import local_day
from monitoring.figures import definition
from monitoring.figures.definition import PlanFacts, Rows, SlotResult
from monitoring.figures.events import COUNTED, FigureRow, FiguresCounted
from monitoring.figures.inbound import AlertRaisedIn, CheckinMissedIn, CheckinRecordedIn, PlanIn

PLANS = "figure_plans"
SOURCES = "figure_sources"
CONSUMER = "monitoring.figures"
SOURCE = "/gridline/monitoring"
ATTEMPTS = 8
Change = Callable[[dict[str, Any]], dict[str, Any]]


class FiguresContention(RuntimeError):
    """A plan's figures were written by another replica each time: retried by the consumer."""


def mark(event_id: str) -> str:
    return hashlib.sha256(event_id.encode()).hexdigest()[:24]


def facts(data: PlanIn) -> PlanFacts:
    return PlanFacts(
        community_code=data.community_code,
        grid_id=data.grid_id,
        measure=data.measure,
        checkins_per_day=data.checkins_per_day,
        first_day=data.first_day or data.starts_on,
        ends_on=data.ends_on,
        nat_dates=tuple(data.nat_dates),
    )


def plan_change(event: Event, data: PlanIn) -> tuple[Change, Rows]:
    """How a plan event changes the plan's figures, and what it counts as having happened."""
    day, plan = local_day(event.time), facts(data)
    fact = event.type.split(".")[-2]
    happened = definition.happened(day, data.community_code, data.grid_id, f"plans.{fact}")
    if fact == "started":
        return (lambda state: definition.started(state, plan)), happened
    if fact == "changed":
        effective = data.effective_on or day
        return (lambda state: definition.changed(state, plan, effective_on=effective)), {}
    by_schedule = data.ended_by == "schedule"
    return (lambda state: definition.ended(state, plan, on=day, by_schedule=by_schedule)), happened


def result_of(data: CheckinRecordedIn) -> SlotResult:
    return SlotResult(
        day=data.day,
        slot=data.slot,
        abnormal=data.abnormal,
        nat=data.nat_result is not None,
        late=data.late,
        correction=data.corrects is not None,
    )


def recorded_change(data: CheckinRecordedIn) -> tuple[Change, Rows]:
    result = result_of(data)
    happened = definition.happened(data.day, data.community_code, data.grid_id, *definition.result_paths(result))
    return (lambda state: definition.slot_recorded(state, result)), happened


def missed_change(data: CheckinMissedIn) -> tuple[Change, Rows]:
    return (lambda state: definition.slot_missed(state, data.day, data.slot)), {}


def alert_rows(data: AlertRaisedIn) -> Rows:
    return definition.happened(local_day(data.raised_at), data.community_code, data.grid_id, f"alerts.{data.kind}")


async def project(*, db: Database, clock: Clock, plan_id: str, changes: Sequence[tuple[Event, Change, Rows]]) -> None:
    """Apply one plan's events (in their order) to its figures in one write; each event at most once."""
    for _ in range(ATTEMPTS):
        doc = await db[PLANS].find_one({"_id": plan_id}, {"_outbox": 0})
        if await _write(db, clock, plan_id, doc, changes):
            return
    raise FiguresContention(plan_id)


async def project_many(*, db: Database, clock: Clock, changes: Sequence[tuple[str, Event, Change, Rows]]) -> None:
    """As `project` for each plan, reading every plan's figures in one query."""
    by_plan: dict[str, list[tuple[Event, Change, Rows]]] = {}
    for plan_id, event, change, rows in changes:
        by_plan.setdefault(plan_id, []).append((event, change, rows))
    found = await read(db[PLANS].find({"_id": {"$in": list(by_plan)}}, {"_outbox": 0}), len(by_plan))
    docs = {doc["_id"]: doc for doc in found}
    for plan_id, planned in by_plan.items():
        if not await _write(db, clock, plan_id, docs.get(plan_id), planned):
            await project(db=db, clock=clock, plan_id=plan_id, changes=planned)


async def _write(
    db: Database,
    clock: Clock,
    plan_id: str,
    doc: dict[str, Any] | None,
    changes: Sequence[tuple[Event, Change, Rows]],
) -> bool:
    """One guarded write of the plan's new state, its marks and its rows' event; False when it lost a race."""
    applied: dict[str, bool] = doc["applied"] if doc else {}
    state = doc["state"] if doc else definition.empty_state()
    before = definition.plan_rows(state)
    happened: Rows = {}
    new_marks: list[str] = []
    counted: list[Event] = []
    for event, change, rows in changes:
        if mark(event.id) in applied or mark(event.id) in new_marks:
            continue
        state = change(state)
        happened = definition.add(happened, rows)
        new_marks.append(mark(event.id))
        counted.append(event)
    if not counted:
        return True
    rows = definition.add(definition.difference(before, definition.plan_rows(state)), happened)
    outgoing = [counted_event(counted, rows, key=plan_id, clock=clock)] if rows else []
    if doc is None:
        fresh = {"_id": plan_id, "state": state, "applied": dict.fromkeys(new_marks, True), "version": 1}
        try:
            await db[PLANS].insert_one(new_document(fresh, outgoing, clock=clock))
        except DuplicateKeyError:
            return False
        return True
    update = {"$set": {"state": state, **{f"applied.{m}": True for m in new_marks}}, "$inc": {"version": 1}}
    return await update_guarded(
        db[PLANS], plan_id, {"version": doc["version"]}, with_events(update, outgoing, clock=clock)
    )


async def count_alerts(*, db: Database, clock: Clock, alerts: Sequence[tuple[Event, AlertRaisedIn]]) -> None:
    """Each alert's rows in a document of its own, inserted once by its event (a repeat is refused)."""
    docs = [
        new_document(
            {"_id": mark(event.id)},
            [counted_event([event], alert_rows(data), key=data.community_code, clock=clock)],
            clock=clock,
        )
        for event, data in alerts
    ]
    await insert_new(db[SOURCES], docs)


def nested(counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """`{"checkins.done": 1}` as `{"checkins": {"done": 1}}`: stored inside a document, keys hold no dots."""
    groups: dict[str, dict[str, int]] = {}
    for path, amount in counts.items():
        group, _, figure = path.partition(".")
        groups.setdefault(group, {})[figure] = amount
    return groups


def counted_event(sources: list[Event], rows: Rows, *, key: str, clock: Clock) -> Event:
    """The rows `sources` made; its id derives from them, so a write tried again publishes the same event."""
    data = FiguresCounted(
        source_event_ids=[e.id for e in sources],
        rows=[
            FigureRow(day=date.fromisoformat(day), community_code=community, grid_id=grid, counts=nested(counts))
            for (day, community, grid), counts in sorted(rows.items())
        ],
    )
    cause = "|".join(e.id for e in sources)
    event_id = derived_id(CONSUMER, cause, COUNTED.type)
    return make_event(COUNTED, source=SOURCE, key=key, data=data, clock=clock, event_id=event_id)
