"""`whoIsOnDuty`: the roster at one instant for a community or a grid, with the community's duty phone."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from gridline.errors import Invalid, NotFound
from gridline.mongo import Database

from duty.board import grids
from duty.rosters import desk, rotations
from duty.rosters.models import DutyRole, OnDuty, OnDutyPublic, PublicMember
from duty.rosters.timeline import assignment_at

_AROUND = timedelta(seconds=1)


async def community_of(*, db: Database, community_code: str | None, grid_id: str | None) -> str:
    """The community a question is about: given, or the grid's (which must then agree)."""
    if grid_id is None:
        if community_code is None:
            raise Invalid("community_code", "community_code or grid_id is required")
        return community_code
    grid = await grids.get(db=db, grid_id=grid_id)
    if grid is None:
        if community_code is None:
            raise NotFound("grid")
        return community_code
    if community_code is not None and grid["community_code"] != community_code:
        raise NotFound("grid")
    return str(grid["community_code"])


async def on_duty(*, db: Database, community_code: str, grid_id: str | None, at: datetime) -> OnDuty:
    (rotation_list, changes), duty_phone = await asyncio.gather(
        rotations.load(db=db, community_code=community_code, start=at, end=at + _AROUND),
        desk.phone_of(db=db, community_code=community_code),
    )
    assignment = assignment_at(rotation_list, changes, grid_id, at)
    return OnDuty(
        community_code=community_code,
        grid_id=grid_id,
        at=at,
        duty_phone=duty_phone,
        shift=assignment.shift,
        duty_officer=assignment.holders[DutyRole.DUTY_OFFICER],
        leader=assignment.holders[DutyRole.LEADER],
        sources={role.value: source for role, source in assignment.sources.items()},
    )


def public(now: OnDuty) -> OnDutyPublic:
    """What the public board shows: names only, never a user id."""
    return OnDutyPublic(
        duty_officer=PublicMember(name=now.duty_officer.name) if now.duty_officer else None,
        leader=PublicMember(name=now.leader.name) if now.leader else None,
        until=now.shift.ends_at if now.shift else None,
    )
