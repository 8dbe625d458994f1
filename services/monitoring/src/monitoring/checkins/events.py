"""Events about check-ins, owned here (payloads as agreed in the cross-service contracts)."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "monitoring.checkin.v1"


class CheckinRecorded(EventData):
    checkin_id: str
    plan_id: str
    person_id: str
    community_code: str
    grid_id: str
    day: date
    slot: int
    method: str
    temperature_c: float | None
    health_code: str | None
    nat_result: str | None
    abnormal: bool
    corrects: str | None
    recorded_at: datetime
    late: bool  # recorded onto a slot the cut-off had already found missing


class CheckinMissed(EventData):
    plan_id: str
    person_id: str
    community_code: str
    grid_id: str
    day: date
    slot: int
    consecutive_missed_days: int


RECORDED = EventSpec(
    TOPIC,
    event_type("monitoring", "checkin", "recorded"),
    CheckinRecorded,
    "A check-in result was recorded (by a worker, the resident, or at a venue); `corrects` names the one it replaces.",
)
MISSED = EventSpec(
    TOPIC,
    event_type("monitoring", "checkin", "missed"),
    CheckinMissed,
    "A check-in slot had no result at the community's cut-off; exactly once per plan, day and slot.",
)
