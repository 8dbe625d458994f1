"""Event adapter: registry person facts keep the care subject list current."""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from care.subjects import service
from care.subjects.inbound import PersonClassified, PersonMerged, PersonRegistered, PersonTransferred, PersonUpdated


async def on_person_registered(ctx: HandlerContext, event: Event, data: PersonRegistered) -> None:
    await service.apply(
        db=ctx.db,
        clock=ctx.clock,
        person_id=data.person_id,
        version=data.version,
        relevant=bool(data.special_groups),
        placement=(data.community_code, data.grid_id),
        fields={"name_masked": data.name_masked, "special_groups": data.special_groups},
    )


async def on_person_classified(ctx: HandlerContext, event: Event, data: PersonClassified) -> None:
    await service.apply(
        db=ctx.db,
        clock=ctx.clock,
        person_id=data.person_id,
        version=data.version,
        relevant=bool(data.special_groups) or data.measure == "home_isolation",
        placement=(data.community_code, data.grid_id),
        fields={"measure": data.measure, "special_groups": data.special_groups},
    )


async def on_person_updated(ctx: HandlerContext, event: Event, data: PersonUpdated) -> None:
    await service.apply(
        db=ctx.db,
        clock=ctx.clock,
        person_id=data.person_id,
        version=data.version,
        relevant=bool(data.special_groups) and data.status == "active",
        placement=(data.community_code, data.grid_id),
        fields={"name_masked": data.name_masked, "special_groups": data.special_groups, "status": data.status},
    )


async def on_person_transferred(ctx: HandlerContext, event: Event, data: PersonTransferred) -> None:
    await service.apply(
        db=ctx.db,
        clock=ctx.clock,
        person_id=data.person_id,
        version=data.version,
        relevant=False,
        placement=(data.community_code, data.grid_id),
        fields={},
    )


async def on_person_merged(ctx: HandlerContext, event: Event, data: PersonMerged) -> None:
    await service.apply(
        db=ctx.db,
        clock=ctx.clock,
        person_id=data.person_id,
        version=data.version,
        relevant=bool(data.special_groups),
        placement=(data.community_code, data.grid_id),
        fields={"special_groups": data.special_groups},
    )
