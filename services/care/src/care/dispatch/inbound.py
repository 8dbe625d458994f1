"""Care's own assignment events, as dispatch reads them (the fields the helpers' load reads too, so the
contract states one reading of the event)."""

from __future__ import annotations

from gridline.events import InboundData, event_type

TOPIC = "care.request.v1"
ASSIGNED = event_type("care", "request", "assigned")


class RequestAssigned(InboundData):
    request_id: str
    helper_id: str
    previous_helper_id: str | None = None
