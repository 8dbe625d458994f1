"""Duty's own incident steps, as paging reads them: who holds which step of which incident."""

from __future__ import annotations

from gridline.events import InboundData, event_type

TOPIC = "duty.incident.v1"
OPENED = event_type("duty", "incident", "opened")
ESCALATED = event_type("duty", "incident", "escalated")


class IncidentStep(InboundData):
    incident_id: str
    community_code: str
    kind: str
    severity: str
    assignee: str | None = None
    level: int
