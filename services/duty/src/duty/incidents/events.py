from __future__ import annotations

from datetime import datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "duty.incident.v1"


class IncidentStep(EventData):
    """Every step of an incident carries who holds it now and when the step happened."""

    incident_id: str
    community_code: str
    grid_id: str | None
    kind: str
    severity: str
    source_type: str
    source_id: str | None
    assignee: str | None
    level: int
    at: datetime
    venue_id: str | None = None


class IncidentEscalated(IncidentStep):
    to_role: str


class IncidentResolved(IncidentStep):
    reason: str


OPENED = EventSpec(
    TOPIC,
    event_type("duty", "incident", "opened"),
    IncidentStep,
    "An incident opened and was routed to whoever is on duty for its grid (level 0), or further up when nobody is.",
)
ACKNOWLEDGED = EventSpec(
    TOPIC, event_type("duty", "incident", "acknowledged"), IncidentStep, "Someone on duty took the incident on."
)
ESCALATED = EventSpec(
    TOPIC,
    event_type("duty", "incident", "escalated"),
    IncidentEscalated,
    "Nobody acknowledged in time: the incident went to the next step of its chain (`to_role`).",
)
RESOLVED = EventSpec(TOPIC, event_type("duty", "incident", "resolved"), IncidentResolved, "The incident was closed.")
