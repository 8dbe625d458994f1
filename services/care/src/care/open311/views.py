"""Open311 GeoReport v2 endpoints, each in XML (GeoReport's required format) and JSON (`formats.py`). They
answer in GeoReport's own shapes, errors included (`<errors><error><code/><description/>…` or
`[{"code": 400, "description": "…"}]`), because their callers are GeoReport clients, not this API's.

An `api_key` (a form field on create) names a configured client: it acts as an `integration` principal bound
to the client's jurisdiction. As in GeoReport, service discovery, the services list and the status of a
request reported through Open311 are public (the id is the resident's receipt); a client's key on a read shows
its jurisdiction's requests with their description, and a list without ids shows only the requests the key's
own client reported (none without a key).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from gridline.auth import Principal, Role
from gridline.errors import DomainError
from gridline.http.bounds import AwareInstant
from gridline.http.deps import PUBLIC, ClockDep, DbDep, IdempotencyKey, ProtectorDep, RuntimeDep
from gridline.http.problems import Problem
from gridline.idempotency import creation_id
from gridline.runtime import Runtime

from care import rights
from care.deps import CareSettingsDep
from care.open311 import service
from care.open311.clients import client_for, parse_open311_clients
from care.open311.formats import errors, format_of, georeport
from care.open311.models import (
    Discovery,
    GeoReportCreated,
    GeoReportError,
    GeoReportQuery,
    GeoReportRequest,
    GeoReportService,
    Open311Create,
)
from care.settings import CareSettings
from care.vocabulary import RequestType


class GeoReportRoute(APIRoute):
    """Errors as GeoReport error arrays; the status code stays what it would be (422 becomes 400, as in GeoReport)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        fmt = format_of(self.path)

        async def georeport(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                messages = [f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors()[:5]]
                return errors(400, messages, fmt)
            except DomainError as exc:
                return errors(400 if exc.status == 422 else exc.status, [exc.detail], fmt)
            except Problem as exc:
                return errors(exc.status, [exc.detail], fmt, exc.headers)

        return georeport


PREFIX = "/open311"
router = APIRouter(prefix=PREFIX, tags=["open311"], route_class=GeoReportRoute, dependencies=[PUBLIC])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": list[GeoReportError], "description": what}
    for code, what in (
        (400, "invalid request"),
        (403, "api_key not valid, or its client may not do this"),
        (404, "unknown service request"),
        (409, "Idempotency-Key already used with another body"),
        (429, "too many requests from this client (with an api_key); `Retry-After` says when to try again"),
    )
}


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: ERRORS[code] for code in codes}


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


async def discovered(request: Request, settings: CareSettingsDep) -> Discovery:
    # Care has no public URL of its own in its settings: the endpoint is where this request reached it.
    url = f"{str(request.base_url).rstrip('/')}{PREFIX}/v2"
    return service.discovery(url=url, production=settings.environment == "production")


@georeport(
    router,
    "GET",
    "/discovery",
    operation_id="discoverOpen311",
    root="discovery",
    summary="GeoReport service discovery",
    description=(
        "Open311 service discovery: the GeoReport v2 endpoint (`url`, to which `/services.xml` and the other "
        "paths are appended), its `type` (production or test), the formats it serves (`text/xml`, "
        "`application/json`), a `changeset` that moves when the services list changes, and how to get an api_key."
    ),
    responses={},
)
async def discover_open311(found: Annotated[Discovery, Depends(discovered)]) -> Discovery:
    return found


@georeport(
    router,
    "GET",
    "/v2/services",
    operation_id="listOpen311Services",
    root="services",
    summary="GeoReport services: the request types",
    description=(
        "Every request type as a GeoReport service (`service_code` is the type). None has attributes "
        "(`metadata` is false), so there is no service definition to read. `jurisdiction_id` is accepted and "
        "does not change the list."
    ),
    responses=answers(400),
)
async def list_open311_services(
    jurisdiction_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[GeoReportService]:
    return service.services()


async def _form_client(
    runtime: RuntimeDep, settings: CareSettingsDep, form: Annotated[Open311Create, Form()]
) -> tuple[Principal, Open311Create]:
    return client_principal(runtime, settings, form.api_key, rights.SUBMIT_OPEN311), form


@georeport(
    router,
    "POST",
    "/v2/requests",
    operation_id="createOpen311Request",
    root="service_requests",
    status_code=status.HTTP_201_CREATED,
    summary="GeoReport create service request (form-encoded)",
    description=(
        "A help request reported by the client its `api_key` names, form-encoded as GeoReport clients post it "
        "(fields care does not use are ignored). A location is required: `lat` and `long`, `address_string` "
        "or `address_id`. Answers one `request` with its `service_request_id` and `service_notice`. "
        "An `Idempotency-Key` makes a retry return the first request."
    ),
    responses=answers(400, 403, 409, 429),
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
Listed = Annotated[str | None, Query(max_length=200, description="comma-separated")]


def georeport_query(
    service_code: Listed = None,
    start_date: Annotated[AwareInstant | None, Query(description="W3C date-time with offset")] = None,
    end_date: Annotated[AwareInstant | None, Query(description="W3C date-time with offset")] = None,
    status: Listed = None,
    jurisdiction_id: JurisdictionId = None,
) -> GeoReportQuery:
    codes, statuses = _listed(service_code), _listed(status)
    if unknown := [c for c in codes if c not in set(RequestType)]:
        raise Problem(400, f"service_code {unknown[0]!r} is not a service of this endpoint")
    if unknown := [s for s in statuses if s not in ("open", "closed")]:
        raise Problem(400, f"status {unknown[0]!r} is neither open nor closed")
    return GeoReportQuery.model_validate(
        {
            "service_codes": codes,
            "statuses": statuses,
            "start_date": start_date,
            "end_date": end_date,
            "jurisdiction_id": jurisdiction_id,
        }
    )


def _listed(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@georeport(
    router,
    "GET",
    "/v2/requests",
    operation_id="listOpen311Requests",
    root="service_requests",
    summary="GeoReport service requests: by id, or those the caller's api_key reported",
    description=(
        "With `service_request_id` (comma-separated, at most 50), those requests, as `getOpen311Request` "
        "shows each; the other filters are then ignored, as GeoReport says. Without it, the requests the "
        f"client whose `api_key` is given reported through Open311, newest first: at most {service.LIST_LIMIT}, "
        "requested within one window of at most 90 days (`start_date`/`end_date`; one of them alone spans 90 "
        "days from it; neither: the last 90 days), filtered by `service_code` and `status` (open, closed; "
        "comma-separated). Without an api_key that list is empty: what others reported is not shown."
    ),
    responses=answers(400, 403, 404, 429),
)
async def list_open311_requests(
    client: Reader,
    db: DbDep,
    clock: ClockDep,
    query: Annotated[GeoReportQuery, Depends(georeport_query)],
    service_request_id: Annotated[
        str | None, Query(min_length=1, max_length=MAX_IDS * 65, description="comma-separated")
    ] = None,
) -> list[GeoReportRequest]:
    if service_request_id is None:
        return await service.reported_by(db=db, clock=clock, client=client, query=query)
    ids = _listed(service_request_id)
    if not ids or len(ids) > MAX_IDS or any(len(i) > 64 for i in ids):
        raise Problem(400, f"service_request_id names 1 to {MAX_IDS} ids of at most 64 characters")
    return await service.statuses(db=db, client=client, request_ids=ids, jurisdiction_id=query.jurisdiction_id)


@georeport(
    router,
    "GET",
    "/v2/requests/{service_request_id}",
    operation_id="getOpen311Request",
    root="service_requests",
    summary="GeoReport service request status",
    description=(
        "One request, as a list of one `request`. Without a key: any request reported through Open311, its "
        "status only (no description, address or contact). With an `api_key`: any request of the client's "
        "jurisdiction, with its description and a masked address."
    ),
    responses=answers(400, 403, 404, 429),
)
async def get_open311_request(
    service_request_id: Annotated[str, Path(min_length=1, max_length=64)],
    client: Reader,
    db: DbDep,
    jurisdiction_id: JurisdictionId = None,
) -> list[GeoReportRequest]:
    found = await service.status(db=db, client=client, request_id=service_request_id, jurisdiction_id=jurisdiction_id)
    return [found]
