"""Dispatch reads care's own assignments, to text the helper and watch an urgent request's acknowledgement."""

from __future__ import annotations

from gridline.consumer import Route, Subscription

from care.dispatch import inbound, notices

NOTICES = Subscription(
    purpose="dispatch-notices",
    by_key=True,  # each request is its own key; its assignments are handled in order
    routes=[Route(inbound.TOPIC, inbound.ASSIGNED, inbound.RequestAssigned, notices.on_request_assigned)],
)
