from __future__ import annotations

from gridline.events import EventData, EventSpec, event_type

TOPIC = "duty.venue.v1"


class VenueChanged(EventData):
    venue_id: str
    community_code: str
    name: str
    kind: str
    capacity: int
    active: bool
    version: int


REGISTERED = EventSpec(
    TOPIC,
    event_type("duty", "venue", "registered"),
    VenueChanged,
    "A venue was registered with its capacity cap (monitoring checks entries against it).",
)
UPDATED = EventSpec(
    TOPIC,
    event_type("duty", "venue", "updated"),
    VenueChanged,
    "A venue's name, capacity or activity changed; `version` orders the changes.",
)
