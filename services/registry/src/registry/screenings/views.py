from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from registry import rights
from registry.screenings import service
from registry.screenings.models import ScreeningCreate, ScreeningRead

router = APIRouter(prefix="/v1/screenings", tags=["screenings"])
Screener = Annotated[Principal, Depends(require(rights.REGISTER_PERSON))]
Reader = Annotated[Principal, Depends(require(rights.READ_PERSONS))]


@router.post(
    "",
    operation_id="recordScreening",
    status_code=status.HTTP_201_CREATED,
    summary="Record a household screening, registering the new people met there",
)
async def record_screening(
    body: ScreeningCreate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    principal: Screener,
    idempotency_key: IdempotencyKey = None,
) -> ScreeningRead:
    screening_id = creation_id(principal=principal, operation="recordScreening", key=idempotency_key)
    screening = await service.record(
        db=db,
        clock=clock,
        protector=protector,
        principal=principal,
        body=body,
        screening_id=screening_id,
        key=idempotency_key,
    )
    return service.to_read(screening)


@router.get("", operation_id="listScreenings", summary="Screenings in your jurisdiction")
async def list_screenings(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    grid_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ScreeningRead]:
    return await service.list_page(db=db, principal=principal, grid_id=grid_id, page=page)
