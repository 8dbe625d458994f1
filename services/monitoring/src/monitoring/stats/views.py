from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from gridline.auth import Principal
from gridline.clock import local_today
from gridline.http.deps import ClockDep, DbDep, require
from gridline.http.params import Day

from monitoring import rights
from monitoring.stats import service
from monitoring.stats.models import DailyStatsRead

router = APIRouter(prefix="/v1/stats", tags=["statistics"])
Reader = Annotated[Principal, Depends(require(rights.READ_STATS))]


@router.get(
    "/daily",
    operation_id="getDailyStats",
    summary="A day's figures for a division (default: your jurisdiction), rolled up and split one level down",
)
async def get_daily_stats(
    db: DbDep,
    clock: ClockDep,
    principal: Reader,
    day: Day | None = None,
    division: Annotated[
        str | None,
        Query(pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|grid:[A-Za-z0-9_-]{1,64})$", description="inside yours"),
    ] = None,
) -> DailyStatsRead:
    return await service.daily(db=db, principal=principal, day=day or local_today(clock), division=division)
