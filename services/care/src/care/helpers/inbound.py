"""Care's tolerant reading of its own request events, for keeping helpers' load right after a crash."""

from __future__ import annotations

from gridline.events import InboundData, event_type

REQUEST_TOPIC = "care.request.v1"
REQUEST_ASSIGNED = event_type("care", "request", "assigned")
REQUEST_FULFILLED = event_type("care", "request", "fulfilled")
REQUEST_CANCELLED = event_type("care", "request", "cancelled")


class RequestAssigned(InboundData):
    request_id: str
    helper_id: str
    previous_helper_id: str | None = None


class RequestClosed(InboundData):
    request_id: str
    helper_id: str | None = None
