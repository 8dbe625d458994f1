from __future__ import annotations

from datetime import date

from gridline.events import EventData, EventSpec, event_type

TOPIC = "monitoring.plan.v1"


class PlanStarted(EventData):
    plan_id: str
    person_id: str
    community_code: str
    grid_id: str
    measure: str
    starts_on: date
    ends_on: date
    nat_dates: list[date]
    rule_set_id: str
    rule_set_version: int
    rule_id: str | None


class PlanEnded(EventData):
    plan_id: str
    person_id: str
    community_code: str
    reason: str


STARTED = EventSpec(
    TOPIC,
    event_type("monitoring", "plan", "started"),
    PlanStarted,
    "A monitoring plan opened for a classified person: daily check-ins expected.",
)
ENDED = EventSpec(
    TOPIC,
    event_type("monitoring", "plan", "ended"),
    PlanEnded,
    "A monitoring plan ended (superseded by a new classification or no measure any more).",
)
