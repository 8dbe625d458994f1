from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, require
from gridline.http.pagination import Page, PageParams, page_params

from monitoring import rights
from monitoring.alerts import service
from monitoring.alerts.models import AlertRead, AlertResolve
from monitoring.vocabulary import AlertKind, AlertStatus, Severity

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])
Reader = Annotated[Principal, Depends(require(rights.READ_ALERTS))]
Handler = Annotated[Principal, Depends(require(rights.HANDLE_ALERTS))]
AlertId = Annotated[str, Path(max_length=64)]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "already resolved, or changed by someone else meanwhile"}
}


@router.get("", operation_id="listAlerts", summary="Alerts in your jurisdiction")
async def list_alerts(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    severity: Severity | None = None,
    grid_id: Annotated[str | None, Query(max_length=64)] = None,
    plan_id: Annotated[str | None, Query(max_length=64)] = None,
    person_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[AlertRead]:
    filters = {
        "status": status,
        "kind": kind,
        "severity": severity,
        "grid_id": grid_id,
        "plan_id": plan_id,
        "person_id": person_id,
    }
    return await service.list_page(db=db, principal=principal, filters=filters, page=page)


@router.get("/{alert_id}", operation_id="getAlert", summary="One alert")
async def get_alert(alert_id: AlertId, db: DbDep, principal: Reader) -> AlertRead:
    return service.to_read(await service.get(db=db, principal=principal, alert_id=alert_id))


@router.post(
    "/{alert_id}/acknowledge", operation_id="acknowledgeAlert", summary="Take an alert in hand", responses=CONFLICT
)
async def acknowledge_alert(alert_id: AlertId, db: DbDep, clock: ClockDep, principal: Handler) -> AlertRead:
    alert = await service.acknowledge(db=db, clock=clock, principal=principal, alert_id=alert_id)
    return service.to_read(alert)


@router.post(
    "/{alert_id}/resolve",
    operation_id="resolveAlert",
    summary="Close an alert, recording who closed it and why",
    responses=CONFLICT,
)
async def resolve_alert(
    alert_id: AlertId, body: AlertResolve, db: DbDep, clock: ClockDep, principal: Handler
) -> AlertRead:
    alert = await service.resolve(db=db, clock=clock, principal=principal, alert_id=alert_id, body=body)
    return service.to_read(alert)
