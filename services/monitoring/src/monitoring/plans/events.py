"""Events about monitoring plans, owned here (payloads as agreed in the cross-service contracts)."""

from __future__ import annotations

from datetime import date

from gridline.events import EventData, EventSpec, event_type

TOPIC = "monitoring.plan.v1"


class StageData(EventData):
    measure: str
    starts_on: date
    ends_on: date


class PlanData(EventData):
    plan_id: str
    person_id: str
    community_code: str
    grid_id: str
    measure: str
    starts_on: date
    first_day: date  # the first day check-ins are expected (the next one when it opened after the cut-off)
    ends_on: date
    checkins_per_day: int
    nat_dates: list[date]
    status: str
    version: int
    stages: list[StageData]
    rule_set_id: str | None
    rule_set_version: int | None
    rule_id: str | None


class PlanChanged(PlanData):
    change: str  # extended | tightened | relaxed | moved | other
    previous_measure: str
    previous_person_id: str | None = None  # set when a merge moved the plan to the surviving record
    effective_on: date | None = None  # the first day the change applies (a next stage: the day after the cut-off)


class PlanCompleted(PlanData):
    ended_by: str  # schedule (its last day passed) | released (re-classified to no measure)


class PlanCancelled(PlanData):
    reason: str  # merged: the record was a duplicate of another person


STARTED = EventSpec(
    TOPIC, event_type("monitoring", "plan", "started"), PlanData, "A plan opened: daily check-ins are expected."
)
CHANGED = EventSpec(
    TOPIC,
    event_type("monitoring", "plan", "changed"),
    PlanChanged,
    "The open plan changed: a re-classification, a new stage, a transfer or a merge; `change` says which.",
)
COMPLETED = EventSpec(
    TOPIC,
    event_type("monitoring", "plan", "completed"),
    PlanCompleted,
    "A plan ended: its last day passed, or the person was released from any measure.",
)
CANCELLED = EventSpec(
    TOPIC, event_type("monitoring", "plan", "cancelled"), PlanCancelled, "A plan was cancelled; `reason` says why."
)
