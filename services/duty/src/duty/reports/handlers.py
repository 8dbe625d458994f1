"""Event adapter: every counted event becomes ledger rows and counter increments (idempotent by event id)."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from duty.reports import effects, ledger
from duty.reports.effects import Row, name, one
from duty.reports.inbound import (
    DutyStep,
    FiguresCounted,
    GapDetected,
    PersonRegistered,
    RequestOpened,
    RequestStep,
)


async def _record(ctx: HandlerContext, event: Event, rows: list[Row]) -> None:
    await ledger.record(db=ctx.db, clock=ctx.clock, event_id=event.id, event_type=event.type, rows=rows)


async def on_person_registered(ctx: HandlerContext, event: Event, data: PersonRegistered) -> None:
    """Only people registered in a key-population category count as key populations."""
    if data.categories:
        paths = ["key_populations.registered", *{f"key_populations.by_category.{name(c)}" for c in data.categories}]
        await _record(ctx, event, one(data.community_code, data.registered_at, *paths))


async def _record_many(ctx: HandlerContext, events: list[tuple[Event, list[Row]]]) -> None:
    await ledger.record_many(db=ctx.db, clock=ctx.clock, events=[(e.id, e.type, rows) for e, rows in events])


async def on_figures_counted(ctx: HandlerContext, event: Event, data: FiguresCounted) -> None:
    await _record(ctx, event, effects.figure_rows(data.rows))


async def on_many_figures_counted(ctx: HandlerContext, batch: list[tuple[Event, FiguresCounted]]) -> None:
    """Monitoring's figures arrive all day: a poll's worth is counted in one write per community."""
    await _record_many(ctx, [(event, effects.figure_rows(data.rows)) for event, data in batch])


async def on_request_opened(ctx: HandlerContext, event: Event, data: RequestOpened) -> None:
    await _record(ctx, event, one(data.community_code, data.opened_at, "help_requests.opened"))


async def on_request_step(ctx: HandlerContext, event: Event, data: RequestStep) -> None:
    """Overdue, fulfilled or cancelled, named by the event type's fact."""
    await _record(ctx, event, one(data.community_code, data.at, f"help_requests.{_fact(event)}"))


async def on_incident_step(ctx: HandlerContext, event: Event, data: DutyStep) -> None:
    await _record(ctx, event, one(data.community_code, data.at, f"incidents.{_fact(event)}"))


async def on_many_incident_steps(ctx: HandlerContext, batch: list[tuple[Event, DutyStep]]) -> None:
    """Incidents open by the poll's worth when alerts come fast: counted in one write per community."""
    await _record_many(
        ctx, [(event, one(data.community_code, data.at, f"incidents.{_fact(event)}")) for event, data in batch]
    )


async def on_supply_alarm(ctx: HandlerContext, event: Event, data: DutyStep) -> None:
    await _record(ctx, event, one(data.community_code, data.at, f"supplies.{_fact(event)}"))


async def on_gap_detected(ctx: HandlerContext, event: Event, data: GapDetected) -> None:
    await _record(ctx, event, effects.gap_rows(data.community_code, data.role, data.starts_at, data.ends_at))


def _fact(event: Event) -> str:
    """`gridline.care.request.fulfilled.v1` -> `fulfilled`."""
    return name(event.type.split(".")[-2])
