"""HTTP adapter for helpers: register, list, and keep availability (a helper may keep their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from care import rights
from care.helpers import service
from care.helpers.models import AvailabilityUpdate, HelperCreate, HelperRead

router = APIRouter(prefix="/v1/helpers", tags=["helpers"])
Registrar = Annotated[Principal, Depends(require(rights.REGISTER_HELPER))]
Reader = Annotated[Principal, Depends(require(rights.READ_HELPERS))]
Scheduler = Annotated[Principal, Depends(require(rights.SET_HELPER_AVAILABILITY))]
OneReader = Annotated[Principal, Depends(require(rights.READ_HELPER))]
HelperId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "",
    operation_id="registerHelper",
    status_code=status.HTTP_201_CREATED,
    summary="Register a volunteer, social worker, social organisation or resident activist",
    responses={409: {"description": "this sign-in account is already a helper; names the existing helper"}},
)
async def register_helper(
    body: HelperCreate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    principal: Registrar,
    idempotency_key: IdempotencyKey = None,
) -> HelperRead:
    helper_id = creation_id(principal=principal, operation="registerHelper", key=idempotency_key)
    helper = await service.register(
        db=db,
        clock=clock,
        protector=protector,
        principal=principal,
        body=body,
        helper_id=helper_id,
        idempotency_key=idempotency_key,
    )
    return service.to_read(helper, clock)


@router.get("", operation_id="listHelpers", summary="Helpers serving your jurisdiction, with their load")
async def list_helpers(
    db: DbDep, clock: ClockDep, principal: Reader, page: Annotated[PageParams, Depends(page_params)]
) -> Page[HelperRead]:
    return await service.list_page(db=db, clock=clock, principal=principal, page=page)


@router.get("/{helper_id}", operation_id="getHelper", summary="One helper (your jurisdiction's, or yourself)")
async def get_helper(helper_id: HelperId, db: DbDep, clock: ClockDep, principal: OneReader) -> HelperRead:
    return service.to_read(await service.get(db=db, principal=principal, helper_id=helper_id), clock)


@router.put(
    "/{helper_id}/availability",
    operation_id="setHelperAvailability",
    summary="Set when a helper can be called on, pause or retire them (a helper may set their own)",
    responses={409: {"description": "changed by someone else meanwhile (send `version` to detect it)"}},
)
async def set_helper_availability(
    helper_id: HelperId, body: AvailabilityUpdate, db: DbDep, clock: ClockDep, principal: Scheduler
) -> HelperRead:
    helper = await service.set_availability(db=db, clock=clock, principal=principal, helper_id=helper_id, body=body)
    return service.to_read(helper, clock)
