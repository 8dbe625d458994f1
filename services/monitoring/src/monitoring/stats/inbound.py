"""Monitoring's own tolerant copies of the events it counts."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import InboundData, event_type

CHECKIN_TOPIC = "monitoring.checkin.v1"
ALERT_TOPIC = "monitoring.alert.v1"
PLAN_TOPIC = "monitoring.plan.v1"
CHECKIN_RECORDED = event_type("monitoring", "checkin", "recorded")
ALERT_RAISED = event_type("monitoring", "alert", "raised")
PLAN_STARTED = event_type("monitoring", "plan", "started")
PLAN_COMPLETED = event_type("monitoring", "plan", "completed")
PLAN_CANCELLED = event_type("monitoring", "plan", "cancelled")


class CheckinRecordedIn(InboundData):
    community_code: str
    grid_id: str
    day: date
    abnormal: bool
    corrects: str | None = None
    late: bool = False


class AlertRaisedIn(InboundData):
    kind: str
    community_code: str
    grid_id: str | None = None
    raised_at: datetime


class PlanEventIn(InboundData):
    community_code: str
    grid_id: str
