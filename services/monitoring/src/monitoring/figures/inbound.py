"""Monitoring's own events as the figures read them: tolerant copies of the fields they count."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import InboundData, event_type
from pydantic import Field

PLAN_TOPIC = "monitoring.plan.v1"
CHECKIN_TOPIC = "monitoring.checkin.v1"
ALERT_TOPIC = "monitoring.alert.v1"
PLAN_STARTED = event_type("monitoring", "plan", "started")
PLAN_CHANGED = event_type("monitoring", "plan", "changed")
PLAN_COMPLETED = event_type("monitoring", "plan", "completed")
PLAN_CANCELLED = event_type("monitoring", "plan", "cancelled")
CHECKIN_RECORDED = event_type("monitoring", "checkin", "recorded")
CHECKIN_MISSED = event_type("monitoring", "checkin", "missed")
ALERT_RAISED = event_type("monitoring", "alert", "raised")
PLAN_TYPES = (PLAN_STARTED, PLAN_CHANGED, PLAN_COMPLETED, PLAN_CANCELLED)


class PlanIn(InboundData):
    plan_id: str
    community_code: str
    grid_id: str
    measure: str
    starts_on: date
    first_day: date | None = None  # older events: the plan's start
    ends_on: date
    checkins_per_day: int
    nat_dates: list[date] = Field(default_factory=list)
    effective_on: date | None = None  # a change: from when (default: the event's own day)
    ended_by: str | None = None


class CheckinRecordedIn(InboundData):
    plan_id: str
    community_code: str
    grid_id: str
    day: date
    slot: int
    abnormal: bool
    nat_result: str | None = None
    corrects: str | None = None
    late: bool = False


class CheckinMissedIn(InboundData):
    plan_id: str
    day: date
    slot: int


class AlertRaisedIn(InboundData):
    kind: str
    community_code: str
    grid_id: str | None = None
    raised_at: datetime
