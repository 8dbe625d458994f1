"""HTTP adapter for notices: published by the community, read by anyone (no token) while in force."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.http.deps import PUBLIC, ClockDep, DbDep, IdempotencyKey, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from duty import rights
from duty.notices import service
from duty.notices.models import NoticeCreate, NoticeRead

router = APIRouter(tags=["notices"])
Publisher = Annotated[Principal, Depends(require(rights.PUBLISH_NOTICES))]
Pages = Annotated[PageParams, Depends(page_params)]


@router.post(
    "/v1/notices",
    operation_id="publishNotice",
    status_code=status.HTTP_201_CREATED,
    summary="Publish a notice to a community for a period",
    responses={404: {"description": "outside your jurisdiction"}, 409: {"description": "Idempotency-Key reused"}},
)
async def publish_notice(
    body: NoticeCreate,
    db: DbDep,
    clock: ClockDep,
    principal: Publisher,
    wake: WakeJobs,
    idempotency_key: IdempotencyKey = None,
) -> NoticeRead:
    notice_id = creation_id(principal=principal, operation="publishNotice", key=idempotency_key)
    notice = await service.publish(
        db=db, clock=clock, principal=principal, body=body, notice_id=notice_id, key=idempotency_key
    )
    wake()
    return service.to_read(notice)


@router.post(
    "/v1/notices/{notice_id}/withdraw",
    operation_id="withdrawNotice",
    summary="Take a notice down before its period ends",
    responses={404: {"description": "unknown, or outside your jurisdiction"}, 409: {"description": "not in force"}},
)
async def withdraw_notice(
    notice_id: Annotated[str, Path(min_length=1, max_length=64)], db: DbDep, clock: ClockDep, principal: Publisher
) -> NoticeRead:
    return service.to_read(await service.withdraw(db=db, clock=clock, principal=principal, notice_id=notice_id))


@router.get(
    "/v1/public/notices",
    operation_id="listNotices",
    dependencies=[PUBLIC],
    tags=["public"],
    summary="公示：社区当前有效的通知（无需登录）",
)
async def list_notices(
    db: DbDep,
    clock: ClockDep,
    page: Pages,
    community_code: Annotated[str, Query(pattern=r"^\d{12}$", description="12-digit community code")],
) -> Page[NoticeRead]:
    return await service.in_force(db=db, community_code=community_code, at=clock.now(), page=page)


@router.get("/v1/notices", operation_id="listAllNotices", summary="Every notice in your jurisdiction, any status")
async def list_all_notices(
    db: DbDep,
    principal: Publisher,
    page: Pages,
    community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
) -> Page[NoticeRead]:
    return await service.list_page(db=db, principal=principal, community_code=community_code, page=page)
