"""Monitoring's tolerant copy of duty's venue events (agreed in the cross-service contracts)."""

from __future__ import annotations

from gridline.events import InboundData, event_type

TOPIC = "duty.venue.v1"
REGISTERED = event_type("duty", "venue", "registered")
UPDATED = event_type("duty", "venue", "updated")


class VenueChanged(InboundData):
    venue_id: str
    community_code: str
    name: str
    kind: str
    capacity: int
    active: bool = True
