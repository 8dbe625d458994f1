from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, WakeJobs, require

from registry import rights
from registry.rules import service
from registry.rules.models import RuleSet

router = APIRouter(prefix="/v1/rule-sets", tags=["rules"])
Scope = Annotated[str, Path(pattern=r"^(\d{2}|\d{6})$", description="province (2 digits) or county (6)")]
Manager = Annotated[Principal, Depends(require(rights.MANAGE_RULES))]
Reader = Annotated[Principal, Depends(require(rights.READ_RULE_SETS))]


@router.get("/{scope}", operation_id="getRuleSet", summary="The rule set in force today for a county or province")
async def get_rule_set(scope: Scope, db: DbDep, clock: ClockDep, _: Reader) -> RuleSet:
    return await service.in_force(db=db, clock=clock, scope=scope)


@router.put(
    "/{scope}",
    operation_id="putRuleSet",
    summary="Store a new rule-set version; when it takes effect everyone it governs is re-classified",
    responses={409: {"description": "the version is not newer than the latest stored"}},
)
async def put_rule_set(
    scope: Scope, body: RuleSet, db: DbDep, clock: ClockDep, principal: Manager, wake: WakeJobs
) -> RuleSet:
    stored = await service.put(db=db, clock=clock, principal=principal, scope=scope, body=body)
    wake()
    return stored
