"""Who an incident goes to: the roles of its grid's roster at an instant, the grid manager, the venue's person."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gridline.mongo import Database

from duty.board import grids
from duty.escalation.models import StepRole
from duty.incidents.models import Assignee
from duty.plans.activation import Owner, Owners
from duty.rosters import rotations
from duty.rosters.models import DutyRole, Member
from duty.rosters.timeline import assignment_at
from duty.venues import service as venues

TOWNSHIP_DESK_NAME = "乡镇（街道）值班室"
# The roster is read for this span from the instant, as `whoIsOnDuty` reads it.
_AROUND = timedelta(seconds=1)


def desk_id(community_code: str) -> str:
    return f"desk:{community_code[:9]}"


@dataclass(frozen=True)
class Place:
    """Where an incident is: its community, and its grid and venue if it has them."""

    community_code: str
    grid_id: str | None
    venue_id: str | None


async def owners_at(
    *, db: Database, community_code: str, grid_id: str | None, venue_id: str | None, at: datetime
) -> Owners:
    owners, _ = await owners_and_venue(db=db, community_code=community_code, grid_id=grid_id, venue_id=venue_id, at=at)
    return owners


async def owners_and_venue(
    *, db: Database, community_code: str, grid_id: str | None, venue_id: str | None, at: datetime
) -> tuple[Owners, dict[str, Any] | None]:
    """The owners, and the venue document they were read with (opening an incident needs its kind too)."""
    place = Place(community_code, grid_id, venue_id)
    return (await owners_and_venues(db=db, places=[place], at=at))[place]


async def owners_and_venues(
    *, db: Database, places: Sequence[Place], at: datetime
) -> dict[Place, tuple[Owners, dict[str, Any] | None]]:
    """`owners_and_venue` of each place, with one read per collection for all of them: a poll's worth of
    alerts from many communities is routed with as many reads as one."""
    # Independent reads, sent together: routing waits for the slowest, not the sum.
    rosters, grid_docs, venue_docs = await asyncio.gather(
        rotations.load_many(
            db=db, community_codes=sorted({p.community_code for p in places}), start=at, end=at + _AROUND
        ),
        grids.get_many(db=db, grid_ids=sorted({p.grid_id for p in places if p.grid_id})),
        venues.find_many(db=db, venue_ids=sorted({p.venue_id for p in places if p.venue_id})),
    )
    routed: dict[Place, tuple[Owners, dict[str, Any] | None]] = {}
    for place in places:
        rotation_list, changes = rosters[place.community_code]
        holders = assignment_at(rotation_list, changes, place.grid_id, at).holders
        grid = grid_docs.get(place.grid_id) if place.grid_id else None
        venue = venue_docs.get(place.venue_id) if place.venue_id else None
        routed[place] = _owners(place.community_code, holders, grid, venue), venue
    return routed


def _owners(
    community_code: str,
    holders: dict[DutyRole, Member | None],
    grid: dict[str, Any] | None,
    venue: dict[str, Any] | None,
) -> Owners:
    officer, leader = holders[DutyRole.DUTY_OFFICER], holders[DutyRole.LEADER]
    return Owners(
        {
            "duty_officer": Owner(officer.subject, officer.name) if officer else Owner(None, None),
            "leader": Owner(leader.subject, leader.name) if leader else Owner(None, None),
            "grid_manager": Owner(None, grid["manager_name"] if grid else None),
            "venue_manager": Owner(None, venue["responsible_name"] if venue else None),
            "township_desk": Owner(desk_id(community_code), TOWNSHIP_DESK_NAME),
        }
    )


async def nothing() -> None:
    """In place of a read that has nothing to look up."""
    return None


def assignee(owners: Owners, role: StepRole) -> Assignee | None:
    """The step's person, or None when nobody holds the role (the chain then moves on without waiting)."""
    owner = owners.of(role.value)
    return Assignee(subject=owner.subject, name=owner.name, role=role) if owner.subject else None
