from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from gridline.auth import Principal
from gridline.http.bounds import PathKey
from gridline.http.deps import DbDep, require
from gridline.http.pagination import Page, PageParams, page_params

from monitoring import rights
from monitoring.plans import service
from monitoring.plans.models import PlanRead

router = APIRouter(prefix="/v1/plans", tags=["plans"])
Reader = Annotated[Principal, Depends(require(rights.READ_PLANS))]


@router.get("/{plan_id}", operation_id="getPlan", summary="One monitoring plan")
async def get_plan(plan_id: PathKey, db: DbDep, principal: Reader) -> PlanRead:
    return service.to_read(await service.get(db=db, principal=principal, plan_id=plan_id))


@router.get("", operation_id="listPlans", summary="Monitoring plans in your jurisdiction")
async def list_plans(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    person_id: Annotated[str | None, Query(max_length=64)] = None,
    grid_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(pattern="^(active|completed|cancelled)$")] = None,
) -> Page[PlanRead]:
    filters = {"person_id": person_id, "grid_id": grid_id, "status": status}
    return await service.list_page(db=db, principal=principal, filters=filters, page=page)
