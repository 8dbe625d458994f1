"""Monitoring's tolerant copies of the events that tell it whom residents call."""

from __future__ import annotations

from gridline.events import InboundData, event_type

GRID_TOPIC = "registry.grid.v1"
GRID_CREATED = event_type("registry", "grid", "created")
GRID_UPDATED = event_type("registry", "grid", "updated")
ROSTER_TOPIC = "duty.roster.v1"
DUTY_DESK_UPDATED = event_type("duty", "duty_desk", "updated")


class GridChanged(InboundData):
    grid_id: str
    community_code: str
    manager_work_phone: str | None = None  # a published work number, once registry carries one


class DutyDeskUpdated(InboundData):
    community_code: str
    duty_phone: str
