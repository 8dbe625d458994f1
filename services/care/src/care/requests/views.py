"""HTTP adapter for help requests: open, read, and each step of their way."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from care import rights
from care.deps import CareSettingsDep
from care.requests import intake, reveal, service, transitions
from care.requests.models import (
    AssignBody,
    AuditEntryRead,
    CancelBody,
    FulfilBody,
    RequestCreate,
    RequestRead,
    RevealBody,
    RevealRead,
    StepBody,
)
from care.vocabulary import Status

router = APIRouter(prefix="/v1/requests", tags=["requests"])
Opener = Annotated[Principal, Depends(require(rights.OPEN_REQUEST))]
Reader = Annotated[Principal, Depends(require(rights.READ_REQUESTS))]
Dispatcher = Annotated[Principal, Depends(require(rights.DISPATCH_REQUEST))]
Worker = Annotated[Principal, Depends(require(rights.WORK_REQUEST))]
Canceller = Annotated[Principal, Depends(require(rights.CANCEL_REQUEST))]
Revealer = Annotated[Principal, Depends(require(rights.REVEAL_REQUEST_CONTACT))]
Auditor = Annotated[Principal, Depends(require(rights.READ_REQUEST_AUDIT))]
RequestId = Annotated[str, Path(min_length=1, max_length=64)]
STEP_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "not allowed from the request's status, or changed by someone else meanwhile"}
}


@router.post(
    "",
    operation_id="openRequest",
    status_code=status.HTTP_201_CREATED,
    summary="Open a help request; its deadlines follow from type and priority",
)
async def open_request(
    body: RequestCreate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    settings: CareSettingsDep,
    principal: Opener,
    idempotency_key: IdempotencyKey = None,
) -> RequestRead:
    request_id = creation_id(principal=principal, operation="openRequest", key=idempotency_key)
    request = await intake.open_by_worker(
        db=db,
        clock=clock,
        protector=protector,
        settings=settings,
        principal=principal,
        body=body,
        request_id=request_id,
        idempotency_key=idempotency_key,
    )
    return service.to_read(request)


@router.get("", operation_id="listRequests", summary="Requests in your jurisdiction; a helper's own assignments")
async def list_requests(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    request_status: Annotated[Status | None, Query(alias="status")] = None,
    person_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[RequestRead]:
    status_value = request_status.value if request_status else None
    return await service.list_page(db=db, principal=principal, status=status_value, person_id=person_id, page=page)


@router.get("/{request_id}", operation_id="getRequest", summary="One request with its history (contact masked)")
async def get_request(request_id: RequestId, db: DbDep, principal: Reader) -> RequestRead:
    return service.to_read(await service.get(db=db, principal=principal, request_id=request_id))


@router.post(
    "/{request_id}/assign",
    operation_id="assignRequest",
    summary="Give the request to a helper",
    responses=STEP_CONFLICT,
)
async def assign_request(
    request_id: RequestId, body: AssignBody, db: DbDep, clock: ClockDep, principal: Dispatcher
) -> RequestRead:
    request = await transitions.assign(db=db, clock=clock, principal=principal, request_id=request_id, body=body)
    return service.to_read(request)


@router.post(
    "/{request_id}/acknowledge",
    operation_id="acknowledgeRequest",
    summary="The assigned helper takes the request on",
    responses=STEP_CONFLICT,
)
async def acknowledge_request(
    request_id: RequestId, db: DbDep, clock: ClockDep, principal: Worker, body: StepBody | None = None
) -> RequestRead:
    step = body or StepBody()
    request = await transitions.acknowledge(db=db, clock=clock, principal=principal, request_id=request_id, body=step)
    return service.to_read(request)


@router.post(
    "/{request_id}/start",
    operation_id="startRequest",
    summary="The helper is on it (in progress)",
    responses=STEP_CONFLICT,
)
async def start_request(
    request_id: RequestId, db: DbDep, clock: ClockDep, principal: Worker, body: StepBody | None = None
) -> RequestRead:
    request = await transitions.start(
        db=db, clock=clock, principal=principal, request_id=request_id, body=body or StepBody()
    )
    return service.to_read(request)


@router.post(
    "/{request_id}/fulfil",
    operation_id="fulfilRequest",
    summary="Record the help given, partly or completely",
    responses=STEP_CONFLICT,
)
async def fulfil_request(
    request_id: RequestId,
    db: DbDep,
    clock: ClockDep,
    principal: Worker,
    body: FulfilBody | None = None,
) -> RequestRead:
    done = body or FulfilBody()  # no body: fulfilled completely
    request = await transitions.fulfil(db=db, clock=clock, principal=principal, request_id=request_id, body=done)
    return service.to_read(request)


@router.post(
    "/{request_id}/cancel", operation_id="cancelRequest", summary="Cancel with a reason", responses=STEP_CONFLICT
)
async def cancel_request(
    request_id: RequestId, body: CancelBody, db: DbDep, clock: ClockDep, principal: Canceller
) -> RequestRead:
    request = await transitions.cancel(db=db, clock=clock, principal=principal, request_id=request_id, body=body)
    return service.to_read(request)


@router.post(
    "/{request_id}/contact/reveal",
    operation_id="revealRequestContact",
    summary="The resident's contact in full, for the assigned helper of an open request; audited",
    responses={409: {"description": "the request is closed"}},
)
async def reveal_request_contact(
    request_id: RequestId, body: RevealBody, db: DbDep, clock: ClockDep, protector: ProtectorDep, principal: Revealer
) -> RevealRead:
    return await reveal.reveal(
        db=db, clock=clock, protector=protector, principal=principal, request_id=request_id, body=body
    )


@router.get("/{request_id}/audit", operation_id="listRequestAudit", summary="Who saw this request's contact, and why")
async def list_request_audit(
    request_id: RequestId, db: DbDep, principal: Auditor, page: Annotated[PageParams, Depends(page_params)]
) -> Page[AuditEntryRead]:
    return await reveal.audit_page(db=db, principal=principal, request_id=request_id, page=page)
