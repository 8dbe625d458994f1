"""Open311 GeoReport v2 endpoints. They answer in GeoReport's own shapes, errors included
(`[{"code": 400, "description": "…"}]`), because their callers are GeoReport clients, not this API's.

An `api_key` (a form field on create) names a configured client: it acts as an `integration` principal bound
to the client's jurisdiction. As in GeoReport, the services list and the status of a request reported through
Open311 are public (the id is the resident's receipt); a client's key on a read shows its jurisdiction's
requests with their description.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from gridline.auth import Principal, Role
from gridline.errors import DomainError
from gridline.http.deps import PUBLIC, ClockDep, DbDep, IdempotencyKey, ProtectorDep, RuntimeDep
from gridline.http.problems import Problem
from gridline.idempotency import creation_id
from gridline.runtime import Runtime

from care import rights
from care.deps import CareSettingsDep
from care.open311 import service
from care.open311.clients import client_for, parse_open311_clients
from care.open311.models import GeoReportCreated, GeoReportError, GeoReportRequest, GeoReportService, Open311Create
from care.settings import CareSettings


class GeoReportRoute(APIRoute):
    """Errors as GeoReport error arrays; the status code stays what it would be (422 becomes 400, as in GeoReport)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def georeport(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                messages = [f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors()[:5]]
                return _errors(400, messages)
            except DomainError as exc:
                return _errors(400 if exc.status == 422 else exc.status, [exc.detail])
            except Problem as exc:
                return _errors(exc.status, [exc.detail], exc.headers)

        return georeport


def _errors(code: int, messages: list[str], headers: dict[str, str] | None = None) -> JSONResponse:
    body = [GeoReportError(code=code, description=m[:300]).model_dump() for m in messages]
    return JSONResponse(body, status_code=code, headers=headers)


router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=GeoReportRoute, dependencies=[PUBLIC])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": list[GeoReportError], "description": what}
    for code, what in (
        (400, "invalid request"),
        (403, "api_key not valid"),
        (404, "unknown service request"),
        (429, "too many requests from this client"),
    )
}


def client_principal(
    runtime: Runtime, settings: CareSettings, api_key: str, rights_needed: frozenset[str]
) -> Principal:
    """The client an `api_key` names, as an integration principal of its jurisdiction; 403 otherwise."""
    client = client_for(parse_open311_clients(settings.open311_clients.get_secret_value()), api_key)
    if client is None:
        raise Problem(403, "api_key is not valid")
    runtime.rate_limits.admit(f"open311:{client.client_id}")
    principal = Principal(
        subject=f"open311:{client.client_id}",
        roles=frozenset({Role.INTEGRATION}),
        jurisdiction=client.jurisdiction,
        claims={},
    )
    if not principal.has_any(rights_needed):
        raise Problem(403, "this client may not do this")
    return principal


async def reading_client(
    runtime: RuntimeDep,
    settings: CareSettingsDep,
    api_key: Annotated[str | None, Query(max_length=128, description="optional: a client's key shows more")] = None,
) -> Principal | None:
    """GeoReport reads need no key; with one, the client reads its jurisdiction's requests in more detail."""
    return None if api_key is None else client_principal(runtime, settings, api_key, rights.READ_OPEN311)


@router.get(
    "/services.json",
    operation_id="listOpen311Services",
    summary="GeoReport services: the request types",
    responses={400: ERRORS[400]},
)
async def list_open311_services(
    jurisdiction_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[GeoReportService]:
    return service.services()


async def _form_client(
    runtime: RuntimeDep, settings: CareSettingsDep, form: Annotated[Open311Create, Form()]
) -> tuple[Principal, Open311Create]:
    return client_principal(runtime, settings, form.api_key, rights.SUBMIT_OPEN311), form


@router.post(
    "/requests.json",
    operation_id="createOpen311Request",
    status_code=status.HTTP_201_CREATED,
    summary="GeoReport create service request (form-encoded); returns [{service_request_id, service_notice}]",
    responses=ERRORS,
)
async def create_open311_request(
    submitted: Annotated[tuple[Principal, Open311Create], Depends(_form_client)],
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    settings: CareSettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> list[GeoReportCreated]:
    client, form = submitted
    request_id = creation_id(principal=client, operation="createOpen311Request", key=idempotency_key)
    created = await service.create(
        db=db,
        clock=clock,
        protector=protector,
        settings=settings,
        client=client,
        form=form,
        request_id=request_id,
        idempotency_key=idempotency_key,
    )
    return [created]


Reader = Annotated[Principal | None, Depends(reading_client)]
JurisdictionId = Annotated[str | None, Query(max_length=64, description="12-digit community code, or a prefix")]
MAX_IDS = 50


@router.get(
    "/requests.json",
    operation_id="listOpen311Requests",
    summary="GeoReport service requests by id: ?service_request_id=a,b (at most 50)",
    responses=ERRORS,
)
async def list_open311_requests(
    service_request_id: Annotated[str, Query(min_length=1, max_length=MAX_IDS * 65, description="comma-separated")],
    client: Reader,
    db: DbDep,
    jurisdiction_id: JurisdictionId = None,
) -> list[GeoReportRequest]:
    ids = [i.strip() for i in service_request_id.split(",") if i.strip()]
    if not ids or len(ids) > MAX_IDS or any(len(i) > 64 for i in ids):
        raise Problem(400, f"service_request_id names 1 to {MAX_IDS} ids of at most 64 characters")
    return await service.statuses(db=db, client=client, request_ids=ids, jurisdiction_id=jurisdiction_id)


@router.get(
    "/requests/{service_request_id}.json",
    operation_id="getOpen311Request",
    summary="GeoReport service request status: [{service_request_id, status, …}]",
    responses=ERRORS,
)
async def get_open311_request(
    service_request_id: Annotated[str, Path(min_length=1, max_length=64)],
    client: Reader,
    db: DbDep,
    jurisdiction_id: JurisdictionId = None,
) -> list[GeoReportRequest]:
    found = await service.status(db=db, client=client, request_id=service_request_id, jurisdiction_id=jurisdiction_id)
    return [found]
