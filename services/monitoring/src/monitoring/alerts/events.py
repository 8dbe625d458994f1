"""Events about alerts, owned here; duty and care consume them."""

from __future__ import annotations

from datetime import datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "monitoring.alert.v1"


class AlertRaised(EventData):
    alert_id: str
    kind: str
    severity: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    plan_id: str | None
    checkin_id: str | None
    venue_id: str | None
    reason: str  # the rule's wording, never personal data
    raised_at: datetime


class AlertAcknowledged(EventData):
    alert_id: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    by: str
    at: datetime
    kind: str
    severity: str


class AlertResolved(EventData):
    alert_id: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    by: str
    reason: str
    at: datetime
    kind: str
    severity: str


RAISED = EventSpec(
    TOPIC,
    event_type("monitoring", "alert", "raised"),
    AlertRaised,
    "An abnormal check-in, a run of missed check-ins or a venue entry check raised an alert.",
)
ACKNOWLEDGED = EventSpec(
    TOPIC, event_type("monitoring", "alert", "acknowledged"), AlertAcknowledged, "Someone took the alert in hand."
)
RESOLVED = EventSpec(
    TOPIC,
    event_type("monitoring", "alert", "resolved"),
    AlertResolved,
    "The alert was closed, with who closed it and why.",
)
