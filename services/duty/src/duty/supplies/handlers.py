from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from duty.supplies import movements
from duty.supplies.inbound import StockMoved


async def on_stock_moved(ctx: HandlerContext, event: Event, data: StockMoved) -> None:
    await movements.record(db=ctx.db, data=data)
