"""Every event the daily report counts, as the report reads it: the fields it needs, nothing more."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import InboundData, event_type
from pydantic import Field

PERSON_TOPIC = "registry.person.v1"
FIGURES_TOPIC = "monitoring.figures.v1"
REQUEST_TOPIC = "care.request.v1"
INCIDENT_TOPIC = "duty.incident.v1"
SUPPLY_TOPIC = "duty.supply.v1"
ROSTER_TOPIC = "duty.roster.v1"

PERSON_REGISTERED = event_type("registry", "person", "registered")
FIGURES_COUNTED = event_type("monitoring", "figures", "counted")
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


class FigureRow(InboundData):
    day: date
    community_code: str
    counts: dict[str, dict[str, int]]


class FiguresCounted(InboundData):
    """Monitoring's figures: rows to add, per day, community and grid (the report sums a community's)."""

    rows: list[FigureRow]


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
