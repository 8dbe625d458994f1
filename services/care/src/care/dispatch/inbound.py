"""Care's own assignment events, as dispatch reads them."""

from __future__ import annotations

from datetime import datetime

from gridline.events import InboundData, event_type

TOPIC = "care.request.v1"
ASSIGNED = event_type("care", "request", "assigned")


class RequestAssigned(InboundData):
    request_id: str
    community_code: str
    helper_id: str
    at: datetime
