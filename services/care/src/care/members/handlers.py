"""Event adapter: registry person facts keep members current."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from care.members import service
from care.members.facts import PersonFact
from care.members.inbound import PersonClassified, PersonMerged, PersonRegistered, PersonTransferred, PersonUpdated
from care.settings import care_settings


async def _apply(ctx: HandlerContext, event: Event, fact: PersonFact) -> None:
    await service.apply(db=ctx.db, clock=ctx.clock, settings=care_settings(ctx.settings), event=event, fact=fact)


async def on_person_registered(ctx: HandlerContext, event: Event, data: PersonRegistered) -> None:
    fact = PersonFact(
        person_id=data.person_id,
        version=data.version,
        community_code=data.community_code,
        grid_id=data.grid_id,
        name_masked=data.name_masked,
        phone_masked=data.phone_masked,
        special_groups=data.special_groups,
    )
    await _apply(ctx, event, fact)


async def on_person_classified(ctx: HandlerContext, event: Event, data: PersonClassified) -> None:
    fact = PersonFact(
        person_id=data.person_id,
        version=data.version,
        community_code=data.community_code,
        grid_id=data.grid_id,
        special_groups=data.special_groups,
        measure=data.measure,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    await _apply(ctx, event, fact)


async def on_person_updated(ctx: HandlerContext, event: Event, data: PersonUpdated) -> None:
    fact = PersonFact(
        person_id=data.person_id,
        version=data.version,
        community_code=data.community_code,
        grid_id=data.grid_id,
        name_masked=data.name_masked,
        phone_masked=data.phone_masked,
        special_groups=data.special_groups,
        retired=data.status == "merged",
    )
    await _apply(ctx, event, fact)


async def on_person_transferred(ctx: HandlerContext, event: Event, data: PersonTransferred) -> None:
    fact = PersonFact(
        person_id=data.person_id,
        version=data.version,
        community_code=data.community_code,
        grid_id=data.grid_id,
        may_create=False,
    )
    await _apply(ctx, event, fact)


async def on_person_merged(ctx: HandlerContext, event: Event, data: PersonMerged) -> None:
    fact = PersonFact(
        person_id=data.person_id,
        version=data.version,
        community_code=data.community_code,
        grid_id=data.grid_id,
        special_groups=data.special_groups,
    )
    await _apply(ctx, event, fact)
