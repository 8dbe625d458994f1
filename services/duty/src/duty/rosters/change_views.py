"""HTTP adapter for overrides and shift swaps (requested, accepted, approved)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from duty import rights
from duty.openapi import Responses
from duty.rosters import changes
from duty.rosters.models import OverrideCreate, RosterChangeRead, SwapCreate, SwapDecision

router = APIRouter(tags=["rosters"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_ROSTERS))]
Reader = Annotated[Principal, Depends(require(rights.READ_ROSTERS))]
Requester = Annotated[Principal, Depends(require(rights.REQUEST_SWAP))]
Accepter = Annotated[Principal, Depends(require(rights.ACCEPT_SWAP))]
Approver = Annotated[Principal, Depends(require(rights.APPROVE_SWAP))]
ChangeId = Annotated[str, Path(min_length=1, max_length=64)]
STEP: Responses = {
    404: {"description": "unknown, outside your jurisdiction, or (accepting) not addressed to you"},
    409: {"description": "the swap is not in a state that allows this step, or changed meanwhile"},
}


@router.post(
    "/v1/overrides",
    operation_id="createOverride",
    status_code=status.HTTP_201_CREATED,
    summary="Put someone else (or nobody, for leave without cover) in a role for a period",
    responses={404: STEP[404], 422: {"description": "invalid period, or a grid of another community"}},
)
async def create_override(
    body: OverrideCreate,
    db: DbDep,
    clock: ClockDep,
    principal: Manager,
    wake_jobs: WakeJobs,
    idempotency_key: IdempotencyKey = None,
) -> RosterChangeRead:
    change_id = creation_id(principal=principal, operation="createOverride", key=idempotency_key)
    change = await changes.create_override(
        db=db, clock=clock, principal=principal, body=body, change_id=change_id, key=idempotency_key
    )
    wake_jobs()
    return changes.to_read(change)


@router.post(
    "/v1/swaps",
    operation_id="requestSwap",
    status_code=status.HTTP_201_CREATED,
    summary="Ask to hand your shift to a colleague (optionally taking theirs); they accept, the community approves",
    responses={404: STEP[404], 422: {"description": "you do not hold that role on the shift, or bad counterpart"}},
)
async def request_swap(
    body: SwapCreate, db: DbDep, clock: ClockDep, principal: Requester, idempotency_key: IdempotencyKey = None
) -> RosterChangeRead:
    change_id = creation_id(principal=principal, operation="requestSwap", key=idempotency_key)
    change = await changes.request_swap(
        db=db, clock=clock, principal=principal, body=body, change_id=change_id, key=idempotency_key
    )
    return changes.to_read(change)


@router.post(
    "/v1/swaps/{change_id}/accept", operation_id="acceptSwap", summary="Accept a swap offered to you", responses=STEP
)
async def accept_swap(
    change_id: ChangeId, body: SwapDecision, db: DbDep, clock: ClockDep, principal: Accepter
) -> RosterChangeRead:
    return changes.to_read(
        await changes.accept_swap(db=db, clock=clock, principal=principal, change_id=change_id, body=body)
    )


@router.post(
    "/v1/swaps/{change_id}/approve",
    operation_id="approveSwap",
    summary="Approve an accepted swap: from now on it decides who is on duty",
    responses=STEP,
)
async def approve_swap(
    change_id: ChangeId,
    body: SwapDecision,
    db: DbDep,
    clock: ClockDep,
    principal: Approver,
    wake_jobs: WakeJobs,
) -> RosterChangeRead:
    change = await changes.approve_swap(db=db, clock=clock, principal=principal, change_id=change_id, body=body)
    wake_jobs()
    return changes.to_read(change)


@router.post(
    "/v1/swaps/{change_id}/reject",
    operation_id="rejectSwap",
    summary="Decline a swap offered to you, or turn one down as its approver",
    responses=STEP,
)
async def reject_swap(
    change_id: ChangeId, body: SwapDecision, db: DbDep, clock: ClockDep, principal: Accepter
) -> RosterChangeRead:
    return changes.to_read(
        await changes.reject_swap(db=db, clock=clock, principal=principal, change_id=change_id, body=body)
    )


@router.get("/v1/roster-changes", operation_id="listRosterChanges", summary="Overrides and swaps in your jurisdiction")
async def list_roster_changes(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
) -> Page[RosterChangeRead]:
    return await changes.list_page(db=db, principal=principal, community_code=community_code, page=page)
