"""HTTP adapter for supplies: items with minimum levels, stock movements, the ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, SettingsDep, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from duty import rights
from duty.openapi import Responses
from duty.settings import DutySettings
from duty.supplies import movements, service
from duty.supplies.models import MovementCreate, MovementRead, SupplyCreate, SupplyRead, SupplyUpdate

router = APIRouter(prefix="/v1/supplies", tags=["supplies"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_SUPPLIES))]
Reader = Annotated[Principal, Depends(require(rights.READ_SUPPLIES))]
Pages = Annotated[PageParams, Depends(page_params)]
SupplyId = Annotated[str, Path(min_length=1, max_length=64)]
NOT_FOUND: Responses = {404: {"description": "unknown, or outside your jurisdiction"}}


@router.post(
    "",
    operation_id="createSupply",
    status_code=status.HTTP_201_CREATED,
    summary="Register an emergency supply item of a store with its minimum reserve",
    responses={**NOT_FOUND, 409: {"description": "this store already has that item (`existing_id`)"}},
)
async def create_supply(
    body: SupplyCreate, db: DbDep, clock: ClockDep, principal: Manager, idempotency_key: IdempotencyKey = None
) -> SupplyRead:
    supply_id = creation_id(principal=principal, operation="createSupply", key=idempotency_key)
    supply = await service.create(
        db=db, clock=clock, principal=principal, body=body, supply_id=supply_id, key=idempotency_key
    )
    return service.to_read(supply)


@router.get("", operation_id="listSupplies", summary="Supplies in your jurisdiction, with stock by lot")
async def list_supplies(
    db: DbDep, principal: Reader, page: Pages, community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None
) -> Page[SupplyRead]:
    return await service.list_page(db=db, principal=principal, community_code=community_code, page=page)


@router.post(
    "/{supply_id}/movements",
    operation_id="recordStockMovement",
    status_code=status.HTTP_201_CREATED,
    summary="Record stock received, issued or disposed of; falling below the minimum opens an incident",
    responses={
        **NOT_FOUND,
        409: {"description": "changed by someone else meanwhile; retry"},
        422: {"description": "more would leave the store (or the lot) than it holds"},
    },
)
async def record_stock_movement(
    supply_id: SupplyId,
    body: MovementCreate,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: Manager,
    wake_jobs: WakeJobs,
    idempotency_key: IdempotencyKey = None,
) -> SupplyRead:
    assert isinstance(settings, DutySettings)
    movement_id = creation_id(principal=principal, operation="recordStockMovement", key=idempotency_key)
    supply = await service.record_movement(
        db=db,
        clock=clock,
        principal=principal,
        supply_id=supply_id,
        body=body,
        movement_id=movement_id,
        warning_days=settings.supply_expiry_warning_days,
    )
    wake_jobs()
    return service.to_read(supply)


@router.patch(
    "/{supply_id}",
    operation_id="updateSupply",
    summary="Change the minimum reserve",
    responses={**NOT_FOUND, 409: {"description": "changed by someone else meanwhile"}},
)
async def update_supply(
    supply_id: SupplyId, body: SupplyUpdate, db: DbDep, clock: ClockDep, principal: Manager
) -> SupplyRead:
    supply = await service.set_minimum(db=db, clock=clock, principal=principal, supply_id=supply_id, body=body)
    return service.to_read(supply)


@router.get(
    "/{supply_id}/movements",
    operation_id="listStockMovements",
    summary="The ledger of a supply's movements",
    responses=NOT_FOUND,
)
async def list_stock_movements(supply_id: SupplyId, db: DbDep, principal: Reader, page: Pages) -> Page[MovementRead]:
    return await movements.list_page(db=db, principal=principal, supply_id=supply_id, page=page)
