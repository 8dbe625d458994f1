"""Every event duty publishes: the contract its AsyncAPI document is generated from."""

from __future__ import annotations

from duty.incidents import events as incident_events
from duty.reports import events as report_events
from duty.rosters import events as roster_events
from duty.supplies import events as supply_events
from duty.venues import events as venue_events

PUBLISHED = [
    roster_events.DUTY_DESK_UPDATED,
    roster_events.GAP_DETECTED,
    roster_events.SHIFT_CHANGED,
    incident_events.OPENED,
    incident_events.ACKNOWLEDGED,
    incident_events.ESCALATED,
    incident_events.RESOLVED,
    supply_events.BELOW_MINIMUM,
    supply_events.EXPIRING,
    supply_events.STOCK_MOVED,
    venue_events.REGISTERED,
    venue_events.UPDATED,
    report_events.PUBLISHED,
]
