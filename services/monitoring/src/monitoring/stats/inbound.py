"""The day's figures as the statistics read them (monitoring's own `figures.counted` rows)."""

from __future__ import annotations

from datetime import date

from gridline.events import InboundData, event_type

FIGURES_TOPIC = "monitoring.figures.v1"
FIGURES_COUNTED = event_type("monitoring", "figures", "counted")


class FigureRowIn(InboundData):
    day: date
    community_code: str
    grid_id: str
    counts: dict[str, dict[str, int]]


class FiguresCountedIn(InboundData):
    rows: list[FigureRowIn]
