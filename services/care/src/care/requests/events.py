"""Events about help requests, owned here (see CONTRACTS.md); consumers keep their own tolerant copies."""

from __future__ import annotations

from datetime import datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "care.request.v1"
SOURCE = "/gridline/care"


class RequestOpened(EventData):
    request_id: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    type: str
    priority: str
    needed_by: datetime | None
    acknowledge_by: datetime
    fulfil_by: datetime
    source: str
    opened_at: datetime


class RequestAssigned(EventData):
    request_id: str
    community_code: str
    helper_id: str
    at: datetime
    previous_helper_id: str | None = None
    automatic: bool = False


class RequestAcknowledged(EventData):
    request_id: str
    community_code: str
    helper_id: str
    at: datetime


class RequestStarted(EventData):
    request_id: str
    community_code: str
    helper_id: str
    at: datetime


class RequestFulfilled(EventData):
    request_id: str
    community_code: str
    completeness: str
    at: datetime
    helper_id: str | None = None


class RequestCancelled(EventData):
    request_id: str
    community_code: str
    reason: str
    at: datetime
    helper_id: str | None = None


class RequestOverdue(EventData):
    request_id: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    type: str
    priority: str
    missed: str
    due_at: datetime
    at: datetime
    helper_id: str | None = None


class HelperNotNotified(EventData):
    """The text telling the assigned helper of a request failed for good: no phone, the recipient masked."""

    request_id: str
    community_code: str
    helper_id: str
    kind: str
    channel: str
    vendor: str
    recipient: str
    error: str
    attempts: int
    at: datetime


def _spec(fact: str, model: type[EventData], summary: str) -> EventSpec:
    return EventSpec(TOPIC, event_type("care", "request", fact), model, summary)


OPENED = _spec("opened", RequestOpened, "A help request was opened, with its acknowledge and fulfil deadlines.")
ASSIGNED = _spec("assigned", RequestAssigned, "A helper was given the request (by a worker or automatically).")
ACKNOWLEDGED = _spec("acknowledged", RequestAcknowledged, "The assigned helper took the request on.")
STARTED = _spec("started", RequestStarted, "The helper is working on the request (in progress).")
FULFILLED = _spec("fulfilled", RequestFulfilled, "The request was fulfilled, partly or completely.")
CANCELLED = _spec("cancelled", RequestCancelled, "The request was cancelled, with the reason.")
OVERDUE = _spec(
    "overdue", RequestOverdue, "A deadline passed unmet: once per request and deadline (acknowledge or fulfil)."
)
HELPER_NOT_NOTIFIED = _spec(
    "helper_not_notified",
    HelperNotNotified,
    "The text telling the assigned helper failed for good, after its retries: once per text, for the desk's alert.",
)
