"""Monitoring's own tolerant copy of `alert.raised`, which it consumes to keep the alerts people work on."""

from __future__ import annotations

from datetime import datetime

from gridline.events import InboundData, event_type

TOPIC = "monitoring.alert.v1"
RAISED = event_type("monitoring", "alert", "raised")


class AlertRaisedIn(InboundData):
    alert_id: str
    kind: str
    severity: str
    community_code: str
    grid_id: str | None = None
    person_id: str | None = None
    plan_id: str | None = None
    checkin_id: str | None = None
    venue_id: str | None = None
    reason: str
    raised_at: datetime
