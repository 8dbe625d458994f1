from __future__ import annotations

from gridline.events import InboundData, event_type

GRID_TOPIC = "registry.grid.v1"
GRID_CREATED = event_type("registry", "grid", "created")
GRID_UPDATED = event_type("registry", "grid", "updated")


class GridChanged(InboundData):
    grid_id: str
    version: int
    community_code: str
    name: str
    manager_name: str
    # Only the number the manager chose to publish; the private one (masked in the event) is never kept here.
    manager_work_phone: str | None = None
