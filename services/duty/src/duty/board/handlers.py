from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from duty.board import grids
from duty.board.inbound import GridChanged


async def on_grid_changed(ctx: HandlerContext, event: Event, data: GridChanged) -> None:
    await grids.record(db=ctx.db, clock=ctx.clock, data=data)
