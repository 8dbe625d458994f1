"""Adding the day's figures to the counter documents, each event's rows exactly once."""

from __future__ import annotations

from gridline.events import Event
from gridline.mongo import Database

from monitoring.days import iso
from monitoring.stats import store
from monitoring.stats.inbound import FigureRowIn, FiguresCountedIn
from monitoring.stats.store import NO_GRID


async def figures_counted(*, db: Database, batch: list[tuple[Event, FiguresCountedIn]]) -> None:
    counts = [
        store.Count(
            iso(row.day), row.community_code, None if row.grid_id == NO_GRID else row.grid_id, event.id, _paths(row)
        )
        for event, data in batch
        for row in data.rows
    ]
    await store.count_many(db=db, counts=counts)


def _paths(row: FigureRowIn) -> dict[str, int]:
    return {f"{group}.{figure}": amount for group, figures in row.counts.items() for figure, amount in figures.items()}
