"""Who an incident goes to: the roles of its grid's roster at an instant, the grid manager, the venue's person."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from gridline.mongo import Database

from duty.board import grids
from duty.escalation.models import StepRole
from duty.incidents.models import Assignee
from duty.plans.activation import Owner, Owners
from duty.rosters import duty_now
from duty.venues import service as venues

TOWNSHIP_DESK_NAME = "乡镇（街道）值班室"


def desk_id(community_code: str) -> str:
    return f"desk:{community_code[:9]}"


async def owners_at(
    *, db: Database, community_code: str, grid_id: str | None, venue_id: str | None, at: datetime
) -> Owners:
    owners, _ = await owners_and_venue(db=db, community_code=community_code, grid_id=grid_id, venue_id=venue_id, at=at)
    return owners


async def owners_and_venue(
    *, db: Database, community_code: str, grid_id: str | None, venue_id: str | None, at: datetime
) -> tuple[Owners, dict[str, Any] | None]:
    """The owners, and the venue document they were read with (opening an incident needs its kind too)."""
    # Independent reads, sent together: an incident opened from an alert waits for the slowest, not the sum.
    now, grid, venue = await asyncio.gather(
        duty_now.on_duty(db=db, community_code=community_code, grid_id=grid_id, at=at),
        grids.get(db=db, grid_id=grid_id) if grid_id else nothing(),
        venues.find(db=db, venue_id=venue_id) if venue_id else nothing(),
    )
    return Owners(
        {
            "duty_officer": Owner(now.duty_officer.subject, now.duty_officer.name)
            if now.duty_officer
            else Owner(None, None),
            "leader": Owner(now.leader.subject, now.leader.name) if now.leader else Owner(None, None),
            "grid_manager": Owner(None, grid["manager_name"] if grid else None),
            "venue_manager": Owner(None, venue["responsible_name"] if venue else None),
            "township_desk": Owner(desk_id(community_code), TOWNSHIP_DESK_NAME),
        }
    ), venue


async def nothing() -> None:
    """In place of a read that has nothing to look up."""
    return None


def assignee(owners: Owners, role: StepRole) -> Assignee | None:
    """The step's person, or None when nobody holds the role (the chain then moves on without waiting)."""
    owner = owners.of(role.value)
    return Assignee(subject=owner.subject, name=owner.name, role=role) if owner.subject else None
