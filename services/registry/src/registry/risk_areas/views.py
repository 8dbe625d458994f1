from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from gridline.auth import Principal
from gridline.http.bounds import PathKey
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from registry import rights
from registry.risk_areas import service
from registry.risk_areas.models import RiskAreaDeclare, RiskAreaLift, RiskAreaRead

router = APIRouter(prefix="/v1/risk-areas", tags=["risk areas"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_RISK_AREAS))]
Reader = Annotated[Principal, Depends(require(rights.READ_RISK_AREAS))]


@router.post(
    "",
    operation_id="declareRiskArea",
    status_code=status.HTTP_201_CREATED,
    summary="Declare a medium- or high-risk area; people who came from it are re-classified",
)
async def declare_risk_area(
    body: RiskAreaDeclare,
    db: DbDep,
    clock: ClockDep,
    principal: Manager,
    idempotency_key: IdempotencyKey = None,
) -> RiskAreaRead:
    area_id = creation_id(principal=principal, operation="declareRiskArea", key=idempotency_key)
    area = await service.declare(
        db=db, clock=clock, principal=principal, body=body, area_id=area_id, key=idempotency_key
    )
    return service.to_read(area)


@router.post("/{area_id}/lift", operation_id="liftRiskArea", summary="Lift a risk area")
async def lift_risk_area(
    area_id: PathKey, body: RiskAreaLift, db: DbDep, clock: ClockDep, principal: Manager
) -> RiskAreaRead:
    area = await service.lift(db=db, clock=clock, principal=principal, area_id=area_id, body=body)
    return service.to_read(area)


@router.get("", operation_id="listRiskAreas", summary="Risk areas (public facts, the same for every reader)")
async def list_risk_areas(
    db: DbDep, _: Reader, page: Annotated[PageParams, Depends(page_params)], active_only: bool = True
) -> Page[RiskAreaRead]:
    return await service.list_page(db=db, active_only=active_only, page=page)
