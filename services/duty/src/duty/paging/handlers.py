"""Event adapter: each incident step that reaches someone (opened, escalated) asks for its page.

Paging reads duty's own incident stream, so a page follows the step it announces however the step came about
(an alert, a help request, by hand, the escalation timer) and never without it: the step's write and its
event are one, and a redelivered step asks for the same page, which is stored once.
"""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from duty.paging import grouping
from duty.paging.inbound import IncidentStep
from duty.settings import DutySettings


async def on_incident_step(ctx: HandlerContext, event: Event, data: IncidentStep) -> None:
    if data.assignee is None:
        return  # nobody holds this step: the chain moves on at once, and the next step is paged
    settings = ctx.settings
    assert isinstance(settings, DutySettings)
    await grouping.request(
        db=ctx.db,
        clock=ctx.clock,
        settings=settings,
        incident_id=data.incident_id,
        level=data.level,
        community_code=data.community_code,
        kind=data.kind,
    )


async def on_many_incident_steps(ctx: HandlerContext, batch: list[tuple[Event, IncidentStep]]) -> None:
    """A poll's run of steps asks for its pages together: the round trips of one request, for all."""
    settings = ctx.settings
    assert isinstance(settings, DutySettings)
    asks = [
        grouping.Ask(incident_id=d.incident_id, level=d.level, community_code=d.community_code, kind=d.kind)
        for _, d in batch
        if d.assignee is not None
    ]
    if asks:
        await grouping.request_many(db=ctx.db, clock=ctx.clock, settings=settings, asks=asks)
