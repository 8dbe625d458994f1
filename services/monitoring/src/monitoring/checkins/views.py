from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.http.params import Day

from monitoring import rights
from monitoring.checkins import service
from monitoring.checkins.models import CheckinCreate, CheckinDetail, CheckinRead
from monitoring.checkins.store import to_read
from monitoring.deps import MonitoringSettingsDep

router = APIRouter(tags=["check-ins"])
Recorder = Annotated[Principal, Depends(require(rights.RECORD_CHECKIN))]
Reader = Annotated[Principal, Depends(require(rights.READ_CHECKINS))]
PlanId = Annotated[str, Path(max_length=64)]


@router.post(
    "/v1/plans/{plan_id}/checkins",
    operation_id="recordCheckin",
    status_code=status.HTTP_201_CREATED,
    summary="Record today's check-in for a person (the next free slot), or correct one with `corrects`",
    responses={409: {"description": "today's slots are all recorded, the plan ended, or the key was reused"}},
)
async def record_checkin(
    plan_id: PlanId,
    body: CheckinCreate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    settings: MonitoringSettingsDep,
    principal: Recorder,
    idempotency_key: IdempotencyKey = None,
) -> CheckinRead:
    slot = await service.record_by_worker(
        db=db,
        clock=clock,
        protector=protector,
        settings=settings,
        principal=principal,
        plan_id=plan_id,
        body=body,
        idempotency_key=idempotency_key,
    )
    return to_read(slot)


@router.get("/v1/checkins", operation_id="listCheckins", summary="Check-ins in your jurisdiction (notes left out)")
async def list_checkins(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    plan_id: Annotated[str | None, Query(max_length=64)] = None,
    person_id: Annotated[str | None, Query(max_length=64)] = None,
    grid_id: Annotated[str | None, Query(max_length=64)] = None,
    day: Day | None = None,
    state: Annotated[str | None, Query(pattern="^(recorded|missed)$")] = None,
) -> Page[CheckinRead]:
    filters = {
        "plan_id": plan_id,
        "person_id": person_id,
        "grid_id": grid_id,
        "day": day.isoformat() if day else None,
        "state": state,
    }
    return await service.list_page(db=db, principal=principal, filters=filters, page=page)


@router.get(
    "/v1/checkins/{slot_id}",
    operation_id="getCheckin",
    summary="One slot's check-in with its note and every earlier result it corrected",
)
async def get_checkin(
    slot_id: Annotated[str, Path(max_length=120)], db: DbDep, protector: ProtectorDep, principal: Reader
) -> CheckinDetail:
    return await service.get(db=db, protector=protector, principal=principal, slot_id=slot_id)
