"""Event adapter: a monitoring alert about a member opens a help request."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from care.requests import intake
from care.requests.inbound import AlertRaised
from care.settings import care_settings


async def on_alert_raised(ctx: HandlerContext, event: Event, data: AlertRaised) -> None:
    await intake.open_for_alert(
        db=ctx.db, clock=ctx.clock, settings=care_settings(ctx.settings), event=event, alert=data
    )
