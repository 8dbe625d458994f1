from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from duty.directory import service
from duty.directory.inbound import GridCreated


async def on_grid_changed(ctx: HandlerContext, event: Event, data: GridCreated) -> None:
    await service.record_grid(db=ctx.db, clock=ctx.clock, data=data)
