"""Event adapter: every counted event becomes ledger rows and counter increments (idempotent by event id)."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from duty.reports import effects, ledger, plans
from duty.reports.effects import Row, name, one
from duty.reports.inbound import (
    AlertRaised,
    CheckinMissed,
    CheckinRecorded,
    DutyStep,
    GapDetected,
    PersonRegistered,
    PlanState,
    RequestOpened,
    RequestStep,
)
from duty.timing import local_day


async def _record(ctx: HandlerContext, event: Event, rows: list[Row]) -> None:
    await ledger.record(db=ctx.db, clock=ctx.clock, event_id=event.id, event_type=event.type, rows=rows)


async def on_person_registered(ctx: HandlerContext, event: Event, data: PersonRegistered) -> None:
    """Only people registered in a key-population category count as key populations."""
    if data.categories:
        paths = ["key_populations.registered", *{f"key_populations.by_category.{name(c)}" for c in data.categories}]
        await _record(ctx, event, one(data.community_code, data.registered_at, *paths))


async def on_plan_started_or_changed(ctx: HandlerContext, event: Event, data: PlanState) -> None:
    await plans.apply(db=ctx.db, clock=ctx.clock, event=event, data=data, ended_on=None)


async def on_plan_ended(ctx: HandlerContext, event: Event, data: PlanState) -> None:
    """A completed or cancelled plan runs up to the day it ended (the event's own day)."""
    await plans.apply(db=ctx.db, clock=ctx.clock, event=event, data=data, ended_on=local_day(event.time))


async def _record_many(ctx: HandlerContext, events: list[tuple[Event, list[Row]]]) -> None:
    await ledger.record_many(db=ctx.db, clock=ctx.clock, events=[(e.id, e.type, rows) for e, rows in events])


def _checkin_rows(data: CheckinRecorded) -> list[Row]:
    if data.corrects is not None:
        return []  # a correction replaces a check-in counted already
    paths = ["checkins.done", *(["checkins.abnormal"] if data.abnormal else [])]
    return one(data.community_code, data.day, *paths)


async def on_checkin_recorded(ctx: HandlerContext, event: Event, data: CheckinRecorded) -> None:
    await _record(ctx, event, _checkin_rows(data))


async def on_checkins_recorded(ctx: HandlerContext, batch: list[tuple[Event, CheckinRecorded]]) -> None:
    """Check-ins arrive all day from every grid: a poll's worth is counted in one write per community."""
    await _record_many(ctx, [(event, _checkin_rows(data)) for event, data in batch])


async def on_checkin_missed(ctx: HandlerContext, event: Event, data: CheckinMissed) -> None:
    await _record(ctx, event, one(data.community_code, data.day, "checkins.missed"))


async def on_checkins_missed(ctx: HandlerContext, batch: list[tuple[Event, CheckinMissed]]) -> None:
    """The cut-off reports a community's misses at once."""
    await _record_many(ctx, [(event, one(data.community_code, data.day, "checkins.missed")) for event, data in batch])


async def on_alert_raised(ctx: HandlerContext, event: Event, data: AlertRaised) -> None:
    await _record(
        ctx, event, one(data.community_code, data.raised_at, "alerts.raised", f"alerts.by_kind.{name(data.kind)}")
    )


async def on_request_opened(ctx: HandlerContext, event: Event, data: RequestOpened) -> None:
    await _record(ctx, event, one(data.community_code, data.opened_at, "help_requests.opened"))


async def on_request_step(ctx: HandlerContext, event: Event, data: RequestStep) -> None:
    """Overdue, fulfilled or cancelled, named by the event type's fact."""
    await _record(ctx, event, one(data.community_code, data.at, f"help_requests.{_fact(event)}"))


async def on_incident_step(ctx: HandlerContext, event: Event, data: DutyStep) -> None:
    await _record(ctx, event, one(data.community_code, data.at, f"incidents.{_fact(event)}"))


async def on_supply_alarm(ctx: HandlerContext, event: Event, data: DutyStep) -> None:
    await _record(ctx, event, one(data.community_code, data.at, f"supplies.{_fact(event)}"))


async def on_gap_detected(ctx: HandlerContext, event: Event, data: GapDetected) -> None:
    await _record(ctx, event, effects.gap_rows(data.community_code, data.role, data.starts_at, data.ends_at))


def _fact(event: Event) -> str:
    """`gridline.care.request.fulfilled.v1` -> `fulfilled`."""
    return name(event.type.split(".")[-2])
