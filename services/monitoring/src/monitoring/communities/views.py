from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from gridline.auth import Principal
from gridline.clock import local_today
from gridline.errors import NotFound
from gridline.http.deps import ClockDep, DbDep, WakeJobs, require

from monitoring import rights
from monitoring.communities import service
from monitoring.communities.models import CommunitySettingsRead, CommunitySettingsUpdate
from monitoring.cutoff import schedule as cutoffs

router = APIRouter(prefix="/v1/communities", tags=["communities"])
Reader = Annotated[Principal, Depends(require(rights.READ_COMMUNITY_SETTINGS))]
Manager = Annotated[Principal, Depends(require(rights.MANAGE_COMMUNITY_SETTINGS))]
Code = Annotated[str, Path(pattern=r"^\d{12}$")]


@router.get(
    "/{community_code}/settings",
    operation_id="getCommunitySettings",
    summary="A community's daily check-in cut-off and duty phone",
)
async def get_settings(community_code: Code, db: DbDep, principal: Reader) -> CommunitySettingsRead:
    if not principal.covers_division(community_code):
        raise NotFound("community")
    return service.to_read(await service.settings_of(db=db, community_code=community_code))


@router.patch(
    "/{community_code}/settings",
    operation_id="updateCommunitySettings",
    summary="Set a community's daily check-in cut-off (from today) or its duty phone",
)
async def update_settings(
    community_code: Code, body: CommunitySettingsUpdate, db: DbDep, clock: ClockDep, principal: Manager, wake: WakeJobs
) -> CommunitySettingsRead:
    stored = await service.put_settings(
        db=db, clock=clock, principal=principal, community_code=community_code, body=body
    )
    if body.cutoff_time is not None and not await cutoffs.judged(
        db=db, community_code=community_code, day=local_today(clock).isoformat()
    ):
        # Today's timer moves to the new time; the one set for the old time will find it moved and stand down.
        await cutoffs.ensure(db=db, clock=clock, community_code=community_code, day=local_today(clock).isoformat())
        wake()
    return service.to_read(stored)
