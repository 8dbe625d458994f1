"""The events that open (or close) incidents, as duty reads them: only the fields it needs."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import InboundData, event_type

ALERT_TOPIC = "monitoring.alert.v1"
ALERT_RAISED = event_type("monitoring", "alert", "raised")
ALERT_RESOLVED = event_type("monitoring", "alert", "resolved")
REQUEST_TOPIC = "care.request.v1"
REQUEST_OVERDUE = event_type("care", "request", "overdue")
REQUEST_HELPER_NOT_NOTIFIED = event_type("care", "request", "helper_not_notified")
SUPPLY_TOPIC = "duty.supply.v1"
SUPPLY_BELOW_MINIMUM = event_type("duty", "supply", "below_minimum")
SUPPLY_EXPIRING = event_type("duty", "supply", "expiring")


class AlertRaised(InboundData):
    alert_id: str
    kind: str
    severity: str
    community_code: str
    grid_id: str | None = None
    person_id: str | None = None
    venue_id: str | None = None
    reason: str
    raised_at: datetime


class AlertResolved(InboundData):
    alert_id: str
    community_code: str
    reason: str
    at: datetime


class RequestOverdue(InboundData):
    request_id: str
    community_code: str
    grid_id: str | None = None
    person_id: str | None = None
    type: str
    priority: str
    missed: str
    due_at: datetime
    at: datetime


class HelperNotNotified(InboundData):
    """Care's text to a request's helper failed for good (the recipient masked)."""

    request_id: str
    community_code: str
    helper_id: str
    kind: str
    channel: str
    vendor: str
    recipient: str
    error: str
    attempts: int
    at: datetime


class SupplyAlarm(InboundData):
    supply_id: str
    community_code: str
    venue_id: str | None = None
    item: str
    quantity: int
    minimum: int
    expires_on: date | None = None
    at: datetime
