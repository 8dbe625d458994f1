"""Every event monitoring publishes: the contract its AsyncAPI document is generated from."""

from __future__ import annotations

from monitoring.alerts import events as alert_events
from monitoring.checkins import events as checkin_events
from monitoring.figures import events as figure_events
from monitoring.plans import events as plan_events

PUBLISHED = [
    plan_events.STARTED,
    plan_events.CHANGED,
    plan_events.COMPLETED,
    plan_events.CANCELLED,
    checkin_events.RECORDED,
    checkin_events.MISSED,
    alert_events.RAISED,
    alert_events.ACKNOWLEDGED,
    alert_events.RESOLVED,
    figure_events.COUNTED,
]
