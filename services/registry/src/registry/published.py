"""Every event the registry publishes: the contract its AsyncAPI document is generated from."""

from __future__ import annotations

from registry.grids import events as grid_events
from registry.persons import events as person_events
from registry.risk_areas import events as risk_area_events

PUBLISHED = [
    person_events.REGISTERED,
    person_events.CLASSIFIED,
    person_events.UPDATED,
    person_events.TRANSFERRED,
    person_events.MERGED,
    grid_events.CREATED,
    grid_events.UPDATED,
    risk_area_events.DECLARED,
    risk_area_events.LIFTED,
]
