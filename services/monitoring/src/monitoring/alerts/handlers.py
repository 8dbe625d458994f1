"""Event adapter: the alerts people work on are kept from `alert.raised`."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.alerts import service
from monitoring.alerts.inbound import AlertRaisedIn


async def on_alert_raised(ctx: HandlerContext, event: Event, data: AlertRaisedIn) -> None:
    await service.keep(db=ctx.db, event=event, data=data)
