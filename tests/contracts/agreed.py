"""Payloads agreed between monitoring, care and duty before they were built side by side.

While a producer has not yet published one of these types in this tree, its consumers are checked against
the agreed payload here instead, and tests publish these models as the producer will. Once the producer
publishes the type, the producer's own model is what consumers are checked against.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from gridline.events import EventData, EventSpec, event_type

PLAN_TOPIC = "monitoring.plan.v1"
CHECKIN_TOPIC = "monitoring.checkin.v1"
ALERT_TOPIC = "monitoring.alert.v1"
REQUEST_TOPIC = "care.request.v1"
VISIT_TOPIC = "care.visit.v1"


class Plan(EventData):
    plan_id: str
    person_id: str
    community_code: str
    grid_id: str
    measure: str
    starts_on: date
    ends_on: date
    checkins_per_day: int
    nat_dates: list[date]
    status: Literal["active", "completed", "cancelled"]


class PlanChanged(Plan):
    change: Literal["extended", "tightened", "relaxed", "moved", "other"]


class PlanCancelled(Plan):
    reason: str


class CheckinRecorded(EventData):
    checkin_id: str
    plan_id: str
    person_id: str
    community_code: str
    grid_id: str
    day: date
    slot: int
    method: Literal["visit", "phone", "self_report", "venue"]
    temperature_c: float | None
    health_code: Literal["green", "yellow", "red"] | None
    nat_result: Literal["negative", "positive"] | None
    abnormal: bool
    corrects: str | None
    recorded_at: datetime


class CheckinMissed(EventData):
    plan_id: str
    person_id: str
    community_code: str
    grid_id: str
    day: date
    slot: int
    consecutive_missed_days: int


class AlertRaised(EventData):
    alert_id: str
    kind: str
    severity: Literal["low", "medium", "high", "critical"]
    community_code: str
    grid_id: str | None
    person_id: str | None
    plan_id: str | None
    checkin_id: str | None
    venue_id: str | None
    reason: str
    raised_at: datetime


class AlertClosed(EventData):
    alert_id: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    by: str
    at: datetime


class AlertResolved(AlertClosed):
    reason: str


class RequestOpened(EventData):
    request_id: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    type: str
    priority: Literal["urgent", "high", "normal", "low"]
    needed_by: datetime | None
    acknowledge_by: datetime
    fulfil_by: datetime
    source: Literal["worker", "resident", "open311", "alert", "isolation", "template"]
    opened_at: datetime


class RequestHelper(EventData):
    request_id: str
    community_code: str
    helper_id: str
    at: datetime


class RequestFulfilled(EventData):
    request_id: str
    community_code: str
    completeness: Literal["partial", "complete"]
    at: datetime


class RequestCancelled(EventData):
    request_id: str
    community_code: str
    reason: str
    at: datetime


class RequestOverdue(EventData):
    request_id: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    type: str
    priority: Literal["urgent", "high", "normal", "low"]
    missed: Literal["acknowledge", "fulfil"]
    due_at: datetime
    at: datetime


def _spec(topic: str, service: str, aggregate: str, fact: str, model: type[EventData]) -> EventSpec:
    return EventSpec(topic, event_type(service, aggregate, fact), model)


PLAN_STARTED = _spec(PLAN_TOPIC, "monitoring", "plan", "started", Plan)
PLAN_CHANGED = _spec(PLAN_TOPIC, "monitoring", "plan", "changed", PlanChanged)
PLAN_COMPLETED = _spec(PLAN_TOPIC, "monitoring", "plan", "completed", Plan)
PLAN_CANCELLED = _spec(PLAN_TOPIC, "monitoring", "plan", "cancelled", PlanCancelled)
CHECKIN_RECORDED = _spec(CHECKIN_TOPIC, "monitoring", "checkin", "recorded", CheckinRecorded)
CHECKIN_MISSED = _spec(CHECKIN_TOPIC, "monitoring", "checkin", "missed", CheckinMissed)
ALERT_RAISED = _spec(ALERT_TOPIC, "monitoring", "alert", "raised", AlertRaised)
ALERT_ACKNOWLEDGED = _spec(ALERT_TOPIC, "monitoring", "alert", "acknowledged", AlertClosed)
ALERT_RESOLVED = _spec(ALERT_TOPIC, "monitoring", "alert", "resolved", AlertResolved)
REQUEST_OPENED = _spec(REQUEST_TOPIC, "care", "request", "opened", RequestOpened)
REQUEST_ASSIGNED = _spec(REQUEST_TOPIC, "care", "request", "assigned", RequestHelper)
REQUEST_ACKNOWLEDGED = _spec(REQUEST_TOPIC, "care", "request", "acknowledged", RequestHelper)
REQUEST_FULFILLED = _spec(REQUEST_TOPIC, "care", "request", "fulfilled", RequestFulfilled)
REQUEST_CANCELLED = _spec(REQUEST_TOPIC, "care", "request", "cancelled", RequestCancelled)
REQUEST_OVERDUE = _spec(REQUEST_TOPIC, "care", "request", "overdue", RequestOverdue)

AGREED = {
    "monitoring": [
        PLAN_STARTED,
        PLAN_CHANGED,
        PLAN_COMPLETED,
        PLAN_CANCELLED,
        CHECKIN_RECORDED,
        CHECKIN_MISSED,
        ALERT_RAISED,
        ALERT_ACKNOWLEDGED,
        ALERT_RESOLVED,
    ],
    "care": [
        REQUEST_OPENED,
        REQUEST_ASSIGNED,
        REQUEST_ACKNOWLEDGED,
        REQUEST_FULFILLED,
        REQUEST_CANCELLED,
        REQUEST_OVERDUE,
    ],
}
