"""Every event care publishes: the contract its AsyncAPI document is generated from."""

from __future__ import annotations

from care.requests import events as request_events
from care.visits import events as visit_events

PUBLISHED = [
    request_events.OPENED,
    request_events.ASSIGNED,
    request_events.ACKNOWLEDGED,
    request_events.STARTED,
    request_events.FULFILLED,
    request_events.CANCELLED,
    request_events.OVERDUE,
    request_events.HELPER_NOT_NOTIFIED,
    visit_events.DUE,
    visit_events.RECORDED,
    visit_events.OVERDUE,
]
