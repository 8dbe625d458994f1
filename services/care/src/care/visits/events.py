"""Events about care visits, owned here (see CONTRACTS.md)."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "care.visit.v1"
SOURCE = "/gridline/care"


class VisitFact(EventData):
    visit_id: str
    member_id: str
    person_id: str
    community_code: str
    grid_id: str | None
    group: str
    due_on: date
    at: datetime
    kind: str | None = None


class VisitRecorded(VisitFact):
    outcome: str
    needs: list[str]


DUE = EventSpec(
    TOPIC, event_type("care", "visit", "due"), VisitFact, "A member's visit fell due by their group's cadence."
)
RECORDED = EventSpec(
    TOPIC,
    event_type("care", "visit", "recorded"),
    VisitRecorded,
    "A visit was made, with its outcome and the needs found.",
)
OVERDUE = EventSpec(
    TOPIC, event_type("care", "visit", "overdue"), VisitFact, "A due visit was not recorded within its grace days."
)
