from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from gridline.auth import Principal, Role
from gridline.http.deps import DbDep, require
from gridline.http.pagination import Page, PageParams, page_params

from care.subjects import service
from care.subjects.service import SubjectRead

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])
READ_SUBJECTS = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.COMMUNITY_ADMIN,
        Role.GRID_WORKER,
        Role.TOWNSHIP_OFFICER,
        Role.COUNTY_OFFICER,
        Role.PLATFORM_ADMIN,
    }
)
Reader = Annotated[Principal, Depends(require(READ_SUBJECTS))]


@router.get("", operation_id="listCareSubjects", summary="Special-group members and home-isolated people")
async def list_subjects(
    db: DbDep, principal: Reader, page: Annotated[PageParams, Depends(page_params)]
) -> Page[SubjectRead]:
    return await service.list_page(db=db, principal=principal, page=page)


@router.get("/{person_id}", operation_id="getCareSubject", summary="One care subject")
async def get_subject(person_id: str, db: DbDep, principal: Reader) -> SubjectRead:
    return await service.get(db=db, principal=principal, person_id=person_id)
