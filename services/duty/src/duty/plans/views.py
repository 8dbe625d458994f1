"""HTTP adapter for emergency plan templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from duty import rights
from duty.plans import service
from duty.plans.models import PlanTemplateCreate, PlanTemplateRead

router = APIRouter(prefix="/v1/plan-templates", tags=["emergency plans"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_PLAN_TEMPLATES))]
Reader = Annotated[Principal, Depends(require(rights.READ_PLAN_TEMPLATES))]


@router.post(
    "",
    operation_id="createPlanTemplate",
    status_code=status.HTTP_201_CREATED,
    summary="Create an emergency plan: a checklist of tasks with owners and due times, and what activates it",
    responses={404: {"description": "outside your jurisdiction"}, 409: {"description": "Idempotency-Key reused"}},
)
async def create_plan_template(
    body: PlanTemplateCreate, db: DbDep, clock: ClockDep, principal: Manager, idempotency_key: IdempotencyKey = None
) -> PlanTemplateRead:
    template_id = creation_id(principal=principal, operation="createPlanTemplate", key=idempotency_key)
    template = await service.create(
        db=db, clock=clock, principal=principal, body=body, template_id=template_id, key=idempotency_key
    )
    return service.to_read(template)


@router.get(
    "",
    operation_id="listPlanTemplates",
    summary="Plans made in your jurisdiction, or every plan applying to one community",
    responses={404: {"description": "community outside your jurisdiction"}},
)
async def list_plan_templates(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
) -> Page[PlanTemplateRead]:
    return await service.list_page(db=db, principal=principal, community_code=community_code, page=page)
