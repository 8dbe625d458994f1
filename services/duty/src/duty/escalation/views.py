"""HTTP adapter for escalation chains: set per community, township or county; read as in force."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, SettingsDep, require

from duty import rights
from duty.escalation import service
from duty.escalation.models import PolicyPut, PolicyRead
from duty.openapi import Responses
from duty.settings import DutySettings

router = APIRouter(prefix="/v1/escalation-policies", tags=["incidents"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_ESCALATION))]
Reader = Annotated[Principal, Depends(require(rights.READ_INCIDENTS))]
DivisionCode = Annotated[str, Path(pattern=r"^(\d{6}|\d{9}|\d{12})$")]
NOT_FOUND: Responses = {404: {"description": "outside your jurisdiction"}}


@router.put(
    "/{division_code}",
    operation_id="putEscalationPolicy",
    summary="Set the escalation chain for a division and everything below it without its own",
    responses=NOT_FOUND,
)
async def put_escalation_policy(
    division_code: DivisionCode, body: PolicyPut, db: DbDep, clock: ClockDep, principal: Manager
) -> PolicyRead:
    return await service.put(db=db, clock=clock, principal=principal, division_code=division_code, body=body)


@router.get(
    "/{division_code}",
    operation_id="getEscalationPolicy",
    summary="The chain in force for a division (its own, inherited, or the default)",
    responses=NOT_FOUND,
)
async def get_escalation_policy(
    division_code: DivisionCode, db: DbDep, settings: SettingsDep, principal: Reader
) -> PolicyRead:
    assert isinstance(settings, DutySettings)
    return await service.get(db=db, settings=settings, principal=principal, division_code=division_code)
