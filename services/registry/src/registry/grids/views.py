from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from gridline.auth import Principal
from gridline.http.bounds import PathKey
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from registry import rights
from registry.grids import service
from registry.grids.models import GridCreate, GridRead, GridUpdate

router = APIRouter(prefix="/v1/grids", tags=["grids"])
GridManager = Annotated[Principal, Depends(require(rights.MANAGE_GRIDS))]
GridReader = Annotated[Principal, Depends(require(rights.READ_GRIDS))]


@router.post("", operation_id="createGrid", status_code=status.HTTP_201_CREATED, summary="Set up a grid")
async def create_grid(
    body: GridCreate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    principal: GridManager,
    idempotency_key: IdempotencyKey = None,
) -> GridRead:
    grid_id = creation_id(principal=principal, operation="createGrid", key=idempotency_key)
    grid = await service.create(
        db=db,
        clock=clock,
        protector=protector,
        principal=principal,
        body=body,
        grid_id=grid_id,
        idempotency_key=idempotency_key,
    )
    return service.to_read(grid)


@router.get("", operation_id="listGrids", summary="Grids in your jurisdiction")
async def list_grids(
    db: DbDep,
    principal: GridReader,
    page: Annotated[PageParams, Depends(page_params)],
    community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
) -> Page[GridRead]:
    return await service.list_page(db=db, principal=principal, community_code=community_code, page=page)


@router.get("/{grid_id}", operation_id="getGrid", summary="One grid")
async def get_grid(grid_id: PathKey, db: DbDep, principal: GridReader) -> GridRead:
    return service.to_read(await service.get(db=db, principal=principal, grid_id=grid_id))


@router.patch("/{grid_id}", operation_id="updateGrid", summary="Change a grid's name, manager or coverage")
async def update_grid(
    grid_id: PathKey,
    body: GridUpdate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    principal: GridManager,
) -> GridRead:
    grid = await service.update(
        db=db, clock=clock, protector=protector, principal=principal, grid_id=grid_id, body=body
    )
    return service.to_read(grid)
