"""Event adapter: the day's counters follow monitoring's own events."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.stats import counting
from monitoring.stats.inbound import AlertRaisedIn, CheckinRecordedIn, PlanEventIn


async def on_checkin_recorded(ctx: HandlerContext, event: Event, data: CheckinRecordedIn) -> None:
    await counting.checkin_recorded(db=ctx.db, event=event, data=data)


async def on_checkins_recorded(ctx: HandlerContext, batch: list[tuple[Event, CheckinRecordedIn]]) -> None:
    """Check-ins arrive all day: a poll's worth is counted in one write per grid's day."""
    await counting.checkins_recorded(db=ctx.db, batch=batch)


async def on_alert_raised(ctx: HandlerContext, event: Event, data: AlertRaisedIn) -> None:
    await counting.alert_raised(db=ctx.db, event=event, data=data)


async def on_plan_started(ctx: HandlerContext, event: Event, data: PlanEventIn) -> None:
    await counting.plan_event(db=ctx.db, event=event, data=data, counter="started")


async def on_plan_completed(ctx: HandlerContext, event: Event, data: PlanEventIn) -> None:
    await counting.plan_event(db=ctx.db, event=event, data=data, counter="completed")


async def on_plan_cancelled(ctx: HandlerContext, event: Event, data: PlanEventIn) -> None:
    await counting.plan_event(db=ctx.db, event=event, data=data, counter="cancelled")
