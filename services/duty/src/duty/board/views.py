"""The public board: no token, because the notice asks for all of it to be shown to residents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from gridline.http.deps import PUBLIC, ClockDep, DbDep
from gridline.http.pagination import Page, PageParams, page_params

from duty.board import grids, service
from duty.board.models import GridContact, PublicBoard

router = APIRouter(prefix="/v1/public", tags=["public"], dependencies=[PUBLIC])
Community = Annotated[str, Query(pattern=r"^\d{12}$", description="12-digit community code")]


@router.get(
    "/board",
    operation_id="getPublicBoard",
    summary="公示栏：各网格负责人及工作电话、值班电话、当前值班人员、有效通知（无需登录）",
)
async def get_public_board(db: DbDep, clock: ClockDep, community_code: Community) -> PublicBoard:
    return await service.board(db=db, clock=clock, community_code=community_code)


@router.get("/grids", operation_id="listGridContacts", summary="公示：各网格及其负责人、工作电话（无需登录）")
async def list_grid_contacts(
    db: DbDep, page: Annotated[PageParams, Depends(page_params)], community_code: Community
) -> Page[GridContact]:
    return await grids.list_page(db=db, community_code=community_code, page=page)
