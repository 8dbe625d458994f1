"""The day's figures recomputed from monitoring's events alone, in memory, by the same definition as the live ones.

Give it everything read from the plan, check-in and alert topics (each topic in its order; how the topics
interleave does not matter): it returns the figures per day, community and grid that the live counters hold
once every event is counted. A redelivered event counts once, as it does live.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gridline.events import Event

from monitoring.figures import definition, projection
from monitoring.figures.definition import Rows
from monitoring.figures.inbound import (
    ALERT_RAISED,
    CHECKIN_MISSED,
    CHECKIN_RECORDED,
    PLAN_TYPES,
    AlertRaisedIn,
    CheckinMissedIn,
    CheckinRecordedIn,
    PlanIn,
)


def replay(events: Iterable[Event]) -> Rows:
    states: dict[str, dict[str, Any]] = {}
    happened: Rows = {}
    seen: set[str] = set()
    for event in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        if event.type == ALERT_RAISED:
            happened = definition.add(happened, projection.alert_rows(AlertRaisedIn.model_validate(event.data)))
            continue
        found = _change(event)
        if found is None:
            continue
        plan_id, change, rows = found
        states[plan_id] = change(states.get(plan_id) or definition.empty_state())
        happened = definition.add(happened, rows)
    total = happened
    for state in states.values():
        total = definition.add(total, definition.plan_rows(state))
    return total


def _change(event: Event) -> tuple[str, projection.Change, Rows] | None:
    if event.type in PLAN_TYPES:
        plan = PlanIn.model_validate(event.data)
        return (plan.plan_id, *projection.plan_change(event, plan))
    if event.type == CHECKIN_RECORDED:
        recorded = CheckinRecordedIn.model_validate(event.data)
        return (recorded.plan_id, *projection.recorded_change(recorded))
    if event.type == CHECKIN_MISSED:
        missed = CheckinMissedIn.model_validate(event.data)
        return (missed.plan_id, *projection.missed_change(missed))
    return None
