from __future__ import annotations

from gridline.events import EventData, EventSpec, event_type

TOPIC = "registry.grid.v1"


class GridCreated(EventData):
    grid_id: str
    version: int
    community_code: str
    name: str
    manager_name: str
    manager_phone_masked: str
    covers_count: int
    # Public information the manager chose to publish (the notice asks for it to be shown), so in full.
    manager_work_phone: str | None = None


class GridUpdated(GridCreated):
    changed: list[str]


CREATED = EventSpec(
    TOPIC,
    event_type("registry", "grid", "created"),
    GridCreated,
    "A grid was set up under a community, with its responsible grid manager.",
)
UPDATED = EventSpec(
    TOPIC,
    event_type("registry", "grid", "updated"),
    GridUpdated,
    "A grid's name, manager or coverage changed; `changed` names the fields.",
)
