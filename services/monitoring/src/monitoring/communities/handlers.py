"""Event adapter: grids' and duty desks' published phones, for the answer after a self check-in."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.communities import service
from monitoring.communities.inbound import DutyDeskUpdated, GridChanged


async def on_grid_changed(ctx: HandlerContext, event: Event, data: GridChanged) -> None:
    await service.follow_grid(
        db=ctx.db, grid_id=data.grid_id, community_code=data.community_code, work_phone=data.manager_work_phone
    )


async def on_duty_desk_updated(ctx: HandlerContext, event: Event, data: DutyDeskUpdated) -> None:
    await service.follow_duty_phone(db=ctx.db, community_code=data.community_code, duty_phone=data.duty_phone)
