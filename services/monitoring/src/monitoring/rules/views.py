from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from gridline.auth import Principal
from gridline.http.deps import DbDep, require

from monitoring import rights
from monitoring.rules import service
from monitoring.rules.models import MonitoringRules

router = APIRouter(prefix="/v1/monitoring-rules", tags=["rules"])
Scope = Annotated[str, Path(pattern=r"^(\d{2}|\d{6})$", description="province (2 digits) or county (6)")]
Reader = Annotated[Principal, Depends(require(rights.READ_RULES))]
Manager = Annotated[Principal, Depends(require(rights.MANAGE_RULES))]


@router.get(
    "/{scope}", operation_id="getMonitoringRules", summary="The monitoring rules governing a county or province"
)
async def get_rules(scope: Scope, db: DbDep, _: Reader) -> MonitoringRules:
    return await service.get(db=db, scope=scope)


@router.put(
    "/{scope}",
    operation_id="putMonitoringRules",
    summary="Store a newer version of the check-in counts and alert triggers for a county or province",
    responses={409: {"description": "the version is not newer than the stored one"}},
)
async def put_rules(scope: Scope, body: MonitoringRules, db: DbDep, principal: Manager) -> MonitoringRules:
    return await service.put(db=db, principal=principal, scope=scope, body=body)
