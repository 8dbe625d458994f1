"""Every event the daily report counts, as the report reads it: the fields it needs, nothing more."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import InboundData, event_type
from pydantic import Field

PERSON_TOPIC = "registry.person.v1"
PLAN_TOPIC = "monitoring.plan.v1"
CHECKIN_TOPIC = "monitoring.checkin.v1"
ALERT_TOPIC = "monitoring.alert.v1"
REQUEST_TOPIC = "care.request.v1"
INCIDENT_TOPIC = "duty.incident.v1"
SUPPLY_TOPIC = "duty.supply.v1"
ROSTER_TOPIC = "duty.roster.v1"

PERSON_REGISTERED = event_type("registry", "person", "registered")
PLAN_STARTED = event_type("monitoring", "plan", "started")
PLAN_CHANGED = event_type("monitoring", "plan", "changed")
PLAN_COMPLETED = event_type("monitoring", "plan", "completed")
PLAN_CANCELLED = event_type("monitoring", "plan", "cancelled")
CHECKIN_RECORDED = event_type("monitoring", "checkin", "recorded")
CHECKIN_MISSED = event_type("monitoring", "checkin", "missed")
ALERT_RAISED = event_type("monitoring", "alert", "raised")
REQUEST_OPENED = event_type("care", "request", "opened")
REQUEST_OVERDUE = event_type("care", "request", "overdue")
REQUEST_FULFILLED = event_type("care", "request", "fulfilled")
REQUEST_CANCELLED = event_type("care", "request", "cancelled")
INCIDENT_STEPS = {
    fact: event_type("duty", "incident", fact) for fact in ("opened", "acknowledged", "escalated", "resolved")
}
SUPPLY_ALARMS = {fact: event_type("duty", "supply", fact) for fact in ("below_minimum", "expiring")}
GAP_DETECTED = event_type("duty", "roster", "gap_detected")


class PersonRegistered(InboundData):
    person_id: str
    community_code: str
    categories: list[str] = Field(default_factory=list)
    registered_at: datetime


class PlanState(InboundData):
    """Every plan event carries the plan's whole state, so each is read the same way."""

    plan_id: str
    community_code: str
    measure: str
    starts_on: date
    ends_on: date
    checkins_per_day: int = 1
    status: str = "active"


class CheckinRecorded(InboundData):
    checkin_id: str
    community_code: str
    day: date
    abnormal: bool = False
    corrects: str | None = None


class CheckinMissed(InboundData):
    plan_id: str
    community_code: str
    day: date


class AlertRaised(InboundData):
    alert_id: str
    kind: str
    community_code: str
    raised_at: datetime


class RequestOpened(InboundData):
    request_id: str
    community_code: str
    opened_at: datetime


class RequestStep(InboundData):
    request_id: str
    community_code: str
    at: datetime


class DutyStep(InboundData):
    """An incident step or a supply alarm of duty's own."""

    community_code: str
    at: datetime


class GapDetected(InboundData):
    community_code: str
    starts_at: datetime
    ends_at: datetime
    role: str
