"""HTTP adapter for the daily report: read any day of a division, recompute a past day, see the pushes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from gridline import webhooks
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, SettingsDep, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params, paginate
from gridline.http.params import Day

from duty import rights
from duty.openapi import Responses
from duty.reports import recompute, service
from duty.reports.models import DailyReport, DeliveryRead, Recomputed
from duty.settings import DutySettings

router = APIRouter(prefix="/v1/reports", tags=["reports"])
Reader = Annotated[Principal, Depends(require(rights.READ_REPORTS))]
Recomputer = Annotated[Principal, Depends(require(rights.RECOMPUTE_REPORTS))]
Division = Annotated[str, Query(pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", description="any level of the tree")]
NOT_FOUND: Responses = {404: {"description": "outside your jurisdiction"}}


@router.get(
    "/daily",
    operation_id="getDailyReport",
    summary="A division's daily report: its communities' counts summed, with the level below",
    responses=NOT_FOUND,
)
async def get_daily_report(db: DbDep, principal: Reader, division_code: Division, day: Day) -> DailyReport:
    return await service.daily_report(db=db, principal=principal, division_code=division_code, day=day)


@router.post(
    "/daily/recompute",
    operation_id="recomputeDailyReport",
    summary="Rebuild a day's counters from the stored events; a published day is published again",
    responses={**NOT_FOUND, 409: {"description": "counts kept changing; retry"}},
)
async def recompute_daily_report(
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: Recomputer,
    wake: WakeJobs,
    division_code: Division,
    day: Day,
) -> Recomputed:
    assert isinstance(settings, DutySettings)
    result = await recompute.recompute(
        db=db, clock=clock, settings=settings, principal=principal, division_code=division_code, day=day
    )
    wake()
    return result


@router.get(
    "/deliveries",
    operation_id="listReportDeliveries",
    summary="Attempts to push a day's report to the provincial platform",
)
async def list_report_deliveries(
    db: DbDep, _: Recomputer, page: Annotated[PageParams, Depends(page_params)], day: Day
) -> Page[DeliveryRead]:
    """The push covers every division, so only those who may recompute a day see its attempts."""
    query = {"tags.kind": "daily-report", "tags.day": day.isoformat()}
    return await paginate(db[webhooks.COLLECTION], query, page, _delivery)


def _delivery(doc: dict[str, Any]) -> DeliveryRead:
    return DeliveryRead(
        delivery_id=doc["delivery_id"],
        attempt=doc["attempt"],
        outcome=doc["outcome"],
        status_code=doc.get("status_code"),
        error=doc.get("error"),
        attempted_at=doc["attempted_at"],
        day=doc["tags"]["day"],
        revision=doc["tags"]["revision"],
    )
