"""The day's figures as monitoring publishes them: each event's rows, to be added to the counters they name."""

from __future__ import annotations

from datetime import date

from gridline.events import EventData, EventSpec, event_type
from pydantic import Field

TOPIC = "monitoring.figures.v1"


class FigureRow(EventData):
    day: date
    community_code: str
    grid_id: str = Field(description="the grid, or `-` for what belongs to the community (venue alerts)")
    counts: dict[str, dict[str, int]] = Field(
        description="signed amounts to add, by group and figure: `people.<measure>`, `checkins.expected|done|"
        "missed|abnormal|recorded|late|corrected`, `nat.due|done`, `alerts.<kind>`, `plans.started|completed|cancelled`"
    )


class FiguresCounted(EventData):
    source_event_ids: list[str] = Field(description="the monitoring events these rows count")
    rows: list[FigureRow]


COUNTED = EventSpec(
    TOPIC,
    event_type("monitoring", "figures", "counted"),
    FiguresCounted,
    "What monitoring's events change in the day's figures, per day, community and grid: every counter of the "
    "day's statistics is the sum of these rows (the one definition of each figure; see `monitoring.figures`).",
)
