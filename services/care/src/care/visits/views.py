"""HTTP adapter for care visits: what is due (or overdue), and recording one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, require
from gridline.http.pagination import Page, PageParams, page_params

from care import rights
from care.visits import service
from care.visits.models import VisitRead, VisitRecord

router = APIRouter(prefix="/v1/visits", tags=["visits"])
Reader = Annotated[Principal, Depends(require(rights.READ_VISITS))]
Visitor = Annotated[Principal, Depends(require(rights.RECORD_VISIT))]


@router.get("", operation_id="listDueVisits", summary="Visits due or overdue in your jurisdiction (or of one status)")
async def list_due_visits(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    visit_status: Annotated[Literal["due", "overdue", "recorded", "dropped"] | None, Query(alias="status")] = None,
) -> Page[VisitRead]:
    return await service.list_page(db=db, principal=principal, status=visit_status, page=page)


@router.post(
    "/{visit_id}/record",
    operation_id="recordVisit",
    summary="Record a visit's outcome and the needs found",
    responses={409: {"description": "already recorded or dropped, or changed meanwhile"}},
)
async def record_visit(
    visit_id: Annotated[str, Path(min_length=1, max_length=64)],
    body: VisitRecord,
    db: DbDep,
    clock: ClockDep,
    principal: Visitor,
) -> VisitRead:
    visit = await service.record(db=db, clock=clock, principal=principal, visit_id=visit_id, body=body)
    return service.to_read(visit)
