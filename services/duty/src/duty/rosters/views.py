"""HTTP adapter for rotations, who is on duty, the duty desk and roster gaps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.errors import Invalid
from gridline.http.bounds import Instant
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from duty import rights
from duty.access import require_covers
from duty.openapi import Responses
from duty.rosters import desk, duty_now, gaps, rotations
from duty.rosters.models import (
    EARLIEST,
    LATEST,
    DutyDeskRead,
    DutyDeskUpdate,
    Gap,
    OnDuty,
    RotationCreate,
    RotationRead,
)

router = APIRouter(tags=["rosters"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_ROSTERS))]
Reader = Annotated[Principal, Depends(require(rights.READ_ROSTERS))]
DeskManager = Annotated[Principal, Depends(require(rights.SET_DUTY_DESK))]
Pages = Annotated[PageParams, Depends(page_params)]
CommunityFilter = Annotated[str | None, Query(pattern=r"^\d{12}$")]
NOT_FOUND: Responses = {404: {"description": "unknown, or outside your jurisdiction"}}


@router.post(
    "/v1/rotations",
    operation_id="createRotation",
    status_code=status.HTTP_201_CREATED,
    summary="Create a daily or weekly rotation: a duty officer and a leader per shift",
    responses={**NOT_FOUND, 409: {"description": "this Idempotency-Key was used with another body"}},
)
async def create_rotation(
    body: RotationCreate,
    db: DbDep,
    clock: ClockDep,
    principal: Manager,
    wake: WakeJobs,
    idempotency_key: IdempotencyKey = None,
) -> RotationRead:
    rotation_id = creation_id(principal=principal, operation="createRotation", key=idempotency_key)
    rotation = await rotations.create(
        db=db, clock=clock, principal=principal, body=body, rotation_id=rotation_id, key=idempotency_key
    )
    await gaps.schedule_scan(db=db, clock=clock, community_code=body.community_code, reason=rotation_id)
    wake()
    return rotations.to_read(rotation)


@router.get("/v1/rotations", operation_id="listRotations", summary="Rotations in your jurisdiction")
async def list_rotations(
    db: DbDep, principal: Reader, page: Pages, community_code: CommunityFilter = None
) -> Page[RotationRead]:
    return await rotations.list_page(db=db, principal=principal, community_code=community_code, page=page)


@router.get(
    "/v1/on-duty",
    operation_id="whoIsOnDuty",
    summary="Who is on duty for a community or a grid at an instant (default now), and the duty phone",
    responses={**NOT_FOUND, 422: {"description": "neither community_code nor grid_id given"}},
)
async def who_is_on_duty(
    db: DbDep,
    clock: ClockDep,
    principal: Reader,
    community_code: CommunityFilter = None,
    grid_id: Annotated[str | None, Query(max_length=64)] = None,
    at: Annotated[Instant | None, Query(description="RFC 3339 with offset; default now")] = None,
) -> OnDuty:
    community = await duty_now.community_of(db=db, community_code=community_code, grid_id=grid_id)
    require_covers(principal, community, grid_id, what="community")
    moment = at or clock.now()
    if moment.tzinfo is None:
        raise Invalid("at", "an instant needs an offset, e.g. 2021-01-12T08:00:00+08:00")
    if not EARLIEST <= moment.date() <= LATEST:
        raise Invalid("at", f"rosters run between {EARLIEST} and {LATEST}")
    return await duty_now.on_duty(db=db, community_code=community, grid_id=grid_id, at=moment)


@router.put(
    "/v1/duty-desks/{community_code}",
    operation_id="setDutyPhone",
    summary="Set the community duty desk's public phone (shown in full on the public board)",
    responses={**NOT_FOUND, 409: {"description": "changed by someone else meanwhile"}},
)
async def set_duty_phone(
    community_code: Annotated[str, Path(pattern=r"^\d{12}$")],
    body: DutyDeskUpdate,
    db: DbDep,
    clock: ClockDep,
    principal: DeskManager,
) -> DutyDeskRead:
    document = await desk.set_phone(db=db, clock=clock, principal=principal, community_code=community_code, body=body)
    return desk.to_read(document)


@router.get("/v1/roster-gaps", operation_id="listRosterGaps", summary="Roster gaps found ahead, in your jurisdiction")
async def list_roster_gaps(
    db: DbDep, principal: Reader, page: Pages, community_code: CommunityFilter = None
) -> Page[Gap]:
    return await gaps.list_page(db=db, principal=principal, community_code=community_code, page=page)
