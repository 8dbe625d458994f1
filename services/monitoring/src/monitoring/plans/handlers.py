"""Event adapter: registry's person events drive plans."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.plans import following, moves
from monitoring.plans.inbound import PersonClassified, PersonMerged, PersonRegistered, PersonTransferred, PersonUpdated
from monitoring.worklist import service as worklist


async def on_person_classified(ctx: HandlerContext, event: Event, data: PersonClassified) -> None:
    await following.follow_classification(db=ctx.db, clock=ctx.clock, settings=ctx.settings, event=event, data=data)


async def on_person_transferred(ctx: HandlerContext, event: Event, data: PersonTransferred) -> None:
    await moves.follow_transfer(db=ctx.db, clock=ctx.clock, event=event, data=data)


async def on_person_merged(ctx: HandlerContext, event: Event, data: PersonMerged) -> None:
    await moves.follow_merge(db=ctx.db, clock=ctx.clock, event=event, data=data)


async def on_person_updated(ctx: HandlerContext, event: Event, data: PersonUpdated) -> None:
    await moves.retire(db=ctx.db, clock=ctx.clock, event=event, data=data)
    if data.name_masked:
        await worklist.remember_name(db=ctx.db, person_id=data.person_id, name_masked=data.name_masked)


async def on_person_registered(ctx: HandlerContext, event: Event, data: PersonRegistered) -> None:
    await worklist.remember_name(db=ctx.db, person_id=data.person_id, name_masked=data.name_masked)
