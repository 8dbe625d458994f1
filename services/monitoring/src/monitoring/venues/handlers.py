"""Event adapter: venues follow duty once duty publishes them."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.venues import service
from monitoring.venues.inbound import VenueChanged


async def on_venue_changed(ctx: HandlerContext, event: Event, data: VenueChanged) -> None:
    await service.follow_duty(db=ctx.db, data=data)
