"""Event adapter: the day's counters follow monitoring's `figures.counted` rows."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.stats import counting
from monitoring.stats.inbound import FiguresCountedIn


async def on_figures_counted(ctx: HandlerContext, event: Event, data: FiguresCountedIn) -> None:
    await counting.figures_counted(db=ctx.db, batch=[(event, data)])


async def on_many_figures_counted(ctx: HandlerContext, batch: list[tuple[Event, FiguresCountedIn]]) -> None:
    """Figures arrive all day: a poll's worth is added in one write per grid's day."""
    await counting.figures_counted(db=ctx.db, batch=batch)
