"""The incident document, its events and its read model: shared by opening, the steps and the timers."""

from __future__ import annotations

from typing import Any

from gridline.clock import Clock
from gridline.events import Event, EventSpec, derived_id
from gridline.mongo import Index
from gridline.outbox import make_event

from duty.access import scoped_indexes
from duty.incidents.models import IncidentRead

COLLECTION = "incidents"
INDEXES = [
    *scoped_indexes(COLLECTION),
    Index(COLLECTION, (("scope", 1), ("status", 1), ("_id", 1))),
    # The live stream reads "changed since" per jurisdiction.
    Index(COLLECTION, (("scope", 1), ("changed_at", 1))),
]
SOURCE = "/gridline/duty"


def step_event(spec: EventSpec, incident: dict[str, Any], *, clock: Clock, step: str, **extra: Any) -> Event:
    """The event of one step; its id derives from the incident and the step, so a repeated step is one event."""
    assignee = incident.get("assignee")
    model: Any = spec.data_model  # IncidentStep or a subclass adding the step's own fields
    data = model(
        incident_id=incident["_id"],
        community_code=incident["community_code"],
        grid_id=incident.get("grid_id"),
        venue_id=incident.get("venue_id"),
        kind=incident["kind"],
        severity=incident["severity"],
        source_type=incident["source_type"],
        source_id=incident.get("source_id"),
        assignee=assignee["subject"] if assignee else None,
        level=incident["level"],
        at=clock.now(),
        **extra,
    )
    event_id = derived_id("duty.incidents", incident["_id"], f"{spec.type}#{step}")
    return make_event(spec, source=SOURCE, key=incident["_id"], data=data, clock=clock, event_id=event_id)


def to_read(doc: dict[str, Any]) -> IncidentRead:
    return IncidentRead(
        id=doc["_id"],
        community_code=doc["community_code"],
        grid_id=doc.get("grid_id"),
        venue_id=doc.get("venue_id"),
        person_id=doc.get("person_id"),
        kind=doc["kind"],
        severity=doc["severity"],
        source_type=doc["source_type"],
        source_id=doc.get("source_id"),
        summary=doc["summary"],
        status=doc["status"],
        level=doc["level"],
        assignee=doc.get("assignee"),
        escalations=doc.get("escalations", []),
        tasks=doc.get("tasks", []),
        opened_at=doc["opened_at"],
        acknowledged_at=doc.get("acknowledged_at"),
        acknowledged_by=doc.get("acknowledged_by"),
        resolved_at=doc.get("resolved_at"),
        resolved_by=doc.get("resolved_by"),
        resolution=doc.get("resolution"),
        version=doc["version"],
        changed_at=doc["changed_at"],
    )
