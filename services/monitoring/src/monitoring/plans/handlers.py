"""Event adapter: registry classifications drive plans."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.plans import service
from monitoring.plans.inbound import PersonClassified, PersonTransferred, PersonUpdated


async def on_person_classified(ctx: HandlerContext, event: Event, data: PersonClassified) -> None:
    await service.follow_classification(db=ctx.db, clock=ctx.clock, event=event, data=data)


async def on_person_transferred(ctx: HandlerContext, event: Event, data: PersonTransferred) -> None:
    await service.follow_transfer(db=ctx.db, data=data)


async def on_person_updated(ctx: HandlerContext, event: Event, data: PersonUpdated) -> None:
    await service.end_for_retired_person(db=ctx.db, clock=ctx.clock, event=event, data=data)
