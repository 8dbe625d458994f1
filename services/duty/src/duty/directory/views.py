from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from gridline.http.deps import DbDep
from gridline.http.pagination import Page, PageParams, page_params

from duty.directory import service
from duty.directory.service import GridContact

router = APIRouter(prefix="/v1/public/grids", tags=["public"])


@router.get("", operation_id="listGridContacts", summary="公示：各网格及其负责人（无需登录）")
async def list_grid_contacts(
    db: DbDep,
    page: Annotated[PageParams, Depends(page_params)],
    community_code: Annotated[str, Query(pattern=r"^\d{12}$", description="12-digit community code")],
) -> Page[GridContact]:
    return await service.list_page(db=db, community_code=community_code, page=page)
