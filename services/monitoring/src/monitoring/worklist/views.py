from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, require
from gridline.http.pagination import PageParams, page_params

from monitoring import rights
from monitoring.worklist import service
from monitoring.worklist.models import Worklist, WorkState

router = APIRouter(prefix="/v1/grids", tags=["worklist"])
Reader = Annotated[Principal, Depends(require(rights.READ_WORKLIST))]


@router.get(
    "/{grid_id}/worklist",
    operation_id="getTodayWorklist",
    summary="Today's worklist for a grid: who must check in, who has, who has not, who is due a NAT, with counts",
)
async def get_today_worklist(
    grid_id: Annotated[str, Path(max_length=64)],
    db: DbDep,
    clock: ClockDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    state: WorkState = WorkState.ALL,
) -> Worklist:
    return await service.today(db=db, clock=clock, principal=principal, grid_id=grid_id, state=state, page=page)
