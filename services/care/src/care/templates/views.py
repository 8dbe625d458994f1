"""HTTP adapter for recurring requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from care import rights
from care.templates import service
from care.templates.models import TemplateCreate, TemplateRead

router = APIRouter(prefix="/v1/request-templates", tags=["recurring requests"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_TEMPLATES))]
Reader = Annotated[Principal, Depends(require(rights.READ_TEMPLATES))]


@router.post(
    "",
    operation_id="createRequestTemplate",
    status_code=status.HTTP_201_CREATED,
    summary="A request that opens again every few days (weekly groceries for an isolated elder)",
)
async def create_request_template(
    body: TemplateCreate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    principal: Manager,
    wake: WakeJobs,
    idempotency_key: IdempotencyKey = None,
) -> TemplateRead:
    template_id = creation_id(principal=principal, operation="createRequestTemplate", key=idempotency_key)
    template = await service.create(
        db=db,
        clock=clock,
        protector=protector,
        principal=principal,
        body=body,
        template_id=template_id,
        idempotency_key=idempotency_key,
    )
    wake()
    return service.to_read(template)


@router.get("", operation_id="listRequestTemplates", summary="Recurring requests in your jurisdiction")
async def list_request_templates(
    db: DbDep, principal: Reader, page: Annotated[PageParams, Depends(page_params)]
) -> Page[TemplateRead]:
    return await service.list_page(db=db, principal=principal, page=page)


@router.post("/{template_id}/stop", operation_id="stopRequestTemplate", summary="No further request opens")
async def stop_request_template(
    template_id: Annotated[str, Path(min_length=1, max_length=64)], db: DbDep, clock: ClockDep, principal: Manager
) -> TemplateRead:
    return service.to_read(await service.stop(db=db, clock=clock, principal=principal, template_id=template_id))
