"""Event adapter: monitoring's plan, check-in and alert events projected onto the day's figures."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.figures import projection
from monitoring.figures.inbound import AlertRaisedIn, CheckinMissedIn, CheckinRecordedIn, PlanIn


async def on_plan_event(ctx: HandlerContext, event: Event, data: PlanIn) -> None:
    change, rows = projection.plan_change(event, data)
    await projection.project(db=ctx.db, clock=ctx.clock, plan_id=data.plan_id, changes=[(event, change, rows)])


async def on_checkin_recorded(ctx: HandlerContext, event: Event, data: CheckinRecordedIn) -> None:
    await on_checkins_recorded(ctx, [(event, data)])


async def on_checkins_recorded(ctx: HandlerContext, batch: list[tuple[Event, CheckinRecordedIn]]) -> None:
    """Check-ins arrive all day: a poll's worth is read in one query and written once per plan."""
    changes = [(data.plan_id, event, *projection.recorded_change(data)) for event, data in batch]
    await projection.project_many(db=ctx.db, clock=ctx.clock, changes=changes)


async def on_checkin_missed(ctx: HandlerContext, event: Event, data: CheckinMissedIn) -> None:
    await on_checkins_missed(ctx, [(event, data)])


async def on_checkins_missed(ctx: HandlerContext, batch: list[tuple[Event, CheckinMissedIn]]) -> None:
    """The cut-off reports a community's misses at once."""
    changes = [(data.plan_id, event, *projection.missed_change(data)) for event, data in batch]
    await projection.project_many(db=ctx.db, clock=ctx.clock, changes=changes)


async def on_alert_raised(ctx: HandlerContext, event: Event, data: AlertRaisedIn) -> None:
    await projection.count_alerts(db=ctx.db, clock=ctx.clock, alerts=[(event, data)])
