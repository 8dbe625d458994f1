"""Event adapter: registry classifications drive plans."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from monitoring.plans import service
from monitoring.plans.inbound import PersonClassified


async def on_person_classified(ctx: HandlerContext, event: Event, data: PersonClassified) -> None:
    await service.follow_classification(db=ctx.db, clock=ctx.clock, event=event, data=data)
