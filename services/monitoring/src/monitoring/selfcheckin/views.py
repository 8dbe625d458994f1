from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, status
from gridline.auth import Principal
from gridline.http.deps import (
    PUBLIC,
    ClockDep,
    DbDep,
    IdempotencyKey,
    LinksDep,
    ProtectorDep,
    RuntimeDep,
    require,
)

from monitoring import rights
from monitoring.checkins.models import SelfCheckinCreate, SelfCheckinRead
from monitoring.deps import MonitoringSettingsDep
from monitoring.selfcheckin import service
from monitoring.selfcheckin.models import LinkIssue, LinkRead, SelfCheckinForm

router = APIRouter(prefix="/v1/plans/{plan_id}", tags=["self check-in"])
Issuer = Annotated[Principal, Depends(require(rights.ISSUE_SELF_CHECKIN_LINK))]
PlanId = Annotated[str, Path(max_length=64)]
LinkToken = Annotated[
    str | None, Header(alias="X-Link-Token", max_length=2000, description="the token of the resident's link")
]
LINK_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "the link is not genuine, or is for another person"},
    410: {"description": "the link expired, or the plan ended"},
}


@router.post(
    "/self-checkin-links",
    operation_id="issueSelfCheckinLink",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a resident a signed, expiring self check-in link, with its QR code as SVG and PNG",
)
async def issue_link(
    plan_id: PlanId,
    body: LinkIssue,
    db: DbDep,
    clock: ClockDep,
    links: LinksDep,
    settings: MonitoringSettingsDep,
    principal: Issuer,
) -> LinkRead:
    return await service.issue(
        db=db, clock=clock, links=links, settings=settings, principal=principal, plan_id=plan_id, body=body
    )


@router.get(
    "/self-checkin",
    operation_id="getSelfCheckin",
    dependencies=[PUBLIC],
    summary="For the resident page: today's slots and whom to call (no account; the link's token)",
    responses=LINK_PROBLEMS,
)
async def get_self_checkin(
    plan_id: PlanId, db: DbDep, clock: ClockDep, links: LinksDep, runtime: RuntimeDep, token: LinkToken = None
) -> SelfCheckinForm:
    claims, plan = await service.plan_for_link(db=db, links=links, token=token, plan_id=plan_id)
    runtime.rate_limits.admit(f"link:{claims.link_id}")
    return await service.form(db=db, clock=clock, plan=plan)


@router.post(
    "/self-checkin",
    operation_id="selfCheckin",
    dependencies=[PUBLIC],
    status_code=status.HTTP_201_CREATED,
    summary="A resident checks in through their link: no account, no ID number typed",
    responses={**LINK_PROBLEMS, 409: {"description": "today's slots are all recorded"}},
)
async def self_checkin(
    plan_id: PlanId,
    body: SelfCheckinCreate,
    db: DbDep,
    clock: ClockDep,
    links: LinksDep,
    protector: ProtectorDep,
    settings: MonitoringSettingsDep,
    runtime: RuntimeDep,
    token: LinkToken = None,
    idempotency_key: IdempotencyKey = None,
) -> SelfCheckinRead:
    claims, plan = await service.plan_for_link(db=db, links=links, token=token, plan_id=plan_id)
    runtime.rate_limits.admit(f"link:{claims.link_id}")
    answer = await service.check_in(
        db=db,
        clock=clock,
        protector=protector,
        settings=settings,
        claims=claims,
        plan=plan,
        body=body,
        idempotency_key=idempotency_key,
    )
    return answer
