from __future__ import annotations

from datetime import datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "duty.roster.v1"


class DutyDeskUpdated(EventData):
    community_code: str
    # A published work number, shown in full: public information, not personal data.
    duty_phone: str
    at: datetime


class RosterGapDetected(EventData):
    community_code: str
    starts_at: datetime
    ends_at: datetime
    role: str
    gap_id: str


class ShiftChanged(EventData):
    community_code: str
    shift_id: str
    starts_at: datetime
    ends_at: datetime
    duty_officer: str | None
    leader: str | None
    at: datetime
    grid_id: str | None
    change_id: str
    change_kind: str


DUTY_DESK_UPDATED = EventSpec(
    TOPIC,
    event_type("duty", "duty_desk", "updated"),
    DutyDeskUpdated,
    "A community's duty desk has a new public phone number (in full: it is published).",
)
GAP_DETECTED = EventSpec(
    TOPIC,
    event_type("duty", "roster", "gap_detected"),
    RosterGapDetected,
    "Ahead of time: a period when the community's roster leaves the duty officer or the leader uncovered.",
)
SHIFT_CHANGED = EventSpec(
    TOPIC,
    event_type("duty", "shift", "changed"),
    ShiftChanged,
    "An approved swap or an override changed who holds a shift (user ids, never names or phones).",
)
