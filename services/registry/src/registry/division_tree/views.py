from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response, status
from gridline.auth import Principal
from gridline.http.deps import PUBLIC, ClockDep, DbDep, require

from registry import rights
from registry.division_tree import service
from registry.division_tree.models import DivisionCreate, DivisionImportResult, DivisionRead

router = APIRouter(prefix="/v1/divisions", tags=["divisions"])
# A division's name is a public fact: the residents' pages name the community whose board they show.
public_router = APIRouter(prefix="/v1/public/divisions", tags=["public"], dependencies=[PUBLIC])
Admin = Annotated[Principal, Depends(require(rights.MANAGE_DIVISIONS))]
Reader = Annotated[Principal, Depends(require(rights.READ_DIVISIONS))]


@router.post(
    "",
    operation_id="createDivision",
    summary="Add a township or village/community to the tree",
    responses={200: {"description": "already there with this name"}, 201: {"description": "added"}},
)
async def create_division(
    body: DivisionCreate, db: DbDep, clock: ClockDep, principal: Admin, response: Response
) -> DivisionRead:
    stored, created = await service.create(db=db, clock=clock, body=body, actor=principal.subject)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return DivisionRead(code=stored["_id"], name=stored["name"], level=stored["level"], parent=stored["parent"])


@router.post(
    "/import",
    operation_id="importDivisions",
    summary="Load townships and communities from CSV lines `code,name` (UTF-8)",
)
async def import_divisions(
    db: DbDep,
    clock: ClockDep,
    principal: Admin,
    csv_text: Annotated[str, Body(media_type="text/csv", max_length=2_000_000)],
) -> DivisionImportResult:
    return await service.import_csv(db=db, clock=clock, text=csv_text, actor=principal.subject)


@router.get("", operation_id="listDivisions", summary="The divisions directly under a parent code")
async def list_divisions(
    db: DbDep, _: Reader, parent: Annotated[str, Query(pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9})$")]
) -> list[DivisionRead]:
    return await service.children(db=db, parent=parent)


@public_router.get(
    "/{code}",
    operation_id="getPublicDivision",
    summary="区划名称：一个县（市、区）、乡镇/街道或村/社区的名称与上级（无需登录）",
)
async def get_public_division(db: DbDep, code: Annotated[str, Path(pattern=r"^(\d{6}|\d{9}|\d{12})$")]) -> DivisionRead:
    return await service.one(db=db, code=code)
