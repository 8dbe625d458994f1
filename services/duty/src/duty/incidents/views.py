"""HTTP adapter for incidents: open by hand, list, acknowledge, resolve, plans and tasks, and the live stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, status
from fastapi.sse import EventSourceResponse, ServerSentEvent
from gridline.auth import Principal
from gridline.errors import Invalid
from gridline.http.bounds import Instant
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, SettingsDep, WakeJobs, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from duty import rights
from duty.access import require_covers
from duty.incidents import opening, service, stream
from duty.incidents.models import (
    Acknowledgement,
    IncidentChange,
    IncidentCreate,
    IncidentRead,
    IncidentStatus,
    PlanActivation,
    Resolution,
    SourceType,
    TaskUpdate,
)
from duty.incidents.store import to_read
from duty.openapi import Responses
from duty.settings import DutySettings

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])
Opener = Annotated[Principal, Depends(require(rights.OPEN_INCIDENT))]
Reader = Annotated[Principal, Depends(require(rights.READ_INCIDENTS))]
Handler = Annotated[Principal, Depends(require(rights.HANDLE_INCIDENT))]
Streamer = Annotated[Principal, Depends(require(rights.STREAM_INCIDENTS))]
IncidentId = Annotated[str, Path(min_length=1, max_length=64)]
STEP: Responses = {
    404: {"description": "unknown, or outside your jurisdiction"},
    409: {"description": "already resolved, or changed by someone else meanwhile"},
}


@router.post(
    "",
    operation_id="openIncident",
    status_code=status.HTTP_201_CREATED,
    summary="Open an incident by hand; it goes to whoever is on duty for its grid now",
    responses={404: STEP[404], 409: {"description": "this Idempotency-Key was used with another body"}},
)
async def open_incident(
    body: IncidentCreate,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: Opener,
    wake_jobs: WakeJobs,
    idempotency_key: IdempotencyKey = None,
) -> IncidentRead:
    require_covers(principal, body.community_code, body.grid_id, what="community")
    assert isinstance(settings, DutySettings)
    incident_id = creation_id(principal=principal, operation="openIncident", key=idempotency_key)
    incident, _ = await opening.open_incident(
        db=db,
        clock=clock,
        settings=settings,
        opening=opening.Opening(
            incident_id=incident_id,
            community_code=body.community_code,
            grid_id=body.grid_id,
            venue_id=body.venue_id,
            person_id=None,
            kind=body.kind.value,
            severity=body.severity.value,
            source_type=SourceType.MANUAL.value,
            source_id=None,
            summary=body.summary,
            opened_by=principal.subject,
        ),
        request=body,
        key=idempotency_key,
    )
    wake_jobs()
    return to_read(incident)


@router.get("", operation_id="listIncidents", summary="Incidents in your jurisdiction, optionally by status")
async def list_incidents(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    status: IncidentStatus | None = None,
) -> Page[IncidentRead]:
    return await service.list_page(db=db, principal=principal, community_code=community_code, status=status, page=page)


async def stream_start(
    clock: ClockDep,
    since: Annotated[Instant | None, Query(description="RFC 3339 with offset; default now")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=200)] = None,
) -> datetime:
    """Where a stream starts, checked before it opens (an error inside a stream could no longer be a 422)."""
    if since is not None and since.tzinfo is None:
        raise Invalid("since", "an instant needs an offset, e.g. 2021-01-12T08:00:00+08:00")
    return stream.cursor_of(last_event_id) or since or clock.now()


@router.get(
    "/stream",
    operation_id="streamIncidents",
    response_class=EventSourceResponse,
    summary="Live stream (server-sent events) of new incidents and each later step, in your jurisdiction",
    description="Each event is `event: incident`, `id: <cursor>` and the incident as JSON. Reconnect with "
    "`Last-Event-ID` (browsers do) to continue after the last event seen; `since` starts from an instant. The "
    "connection closes after `max_seconds`; reconnecting continues where it stopped.",
    responses={422: {"description": "`since` without an offset"}},
)
async def stream_incidents(
    db: DbDep,
    settings: SettingsDep,
    principal: Streamer,
    start: Annotated[datetime, Depends(stream_start)],
    max_seconds: Annotated[float, Query(ge=1, le=3600)] = 300,
) -> AsyncIterator[IncidentChange]:
    assert isinstance(settings, DutySettings)
    async for event_id, change in stream.changes(
        db=db,
        jurisdiction=principal.jurisdiction,
        since=start,
        seconds=max_seconds,
        poll_seconds=settings.stream_poll_seconds,
    ):
        yield ServerSentEvent(data=change, event="incident", id=event_id)  # type: ignore[misc]


@router.get("/{incident_id}", operation_id="getIncident", summary="One incident", responses={404: STEP[404]})
async def get_incident(incident_id: IncidentId, db: DbDep, principal: Reader) -> IncidentRead:
    return to_read(await service.get(db=db, principal=principal, incident_id=incident_id))


@router.post(
    "/{incident_id}/acknowledge",
    operation_id="acknowledgeIncident",
    summary="Take the incident on; its escalation stops",
    responses=STEP,
)
async def acknowledge_incident(
    incident_id: IncidentId, body: Acknowledgement, db: DbDep, clock: ClockDep, principal: Handler
) -> IncidentRead:
    incident = await service.acknowledge(
        db=db, clock=clock, principal=principal, incident_id=incident_id, version=body.version
    )
    return to_read(incident)


@router.post("/{incident_id}/resolve", operation_id="resolveIncident", summary="Close the incident", responses=STEP)
async def resolve_incident(
    incident_id: IncidentId, body: Resolution, db: DbDep, clock: ClockDep, principal: Handler
) -> IncidentRead:
    incident = await service.resolve(
        db=db, clock=clock, principal=principal, incident_id=incident_id, reason=body.reason, version=body.version
    )
    return to_read(incident)


@router.post(
    "/{incident_id}/plans",
    operation_id="activatePlan",
    summary="Activate an emergency plan on the incident: its tasks join the checklist",
    responses={**STEP, 404: {"description": "unknown incident, or no such template for its community"}},
)
async def activate_plan(
    incident_id: IncidentId, body: PlanActivation, db: DbDep, clock: ClockDep, principal: Handler
) -> IncidentRead:
    incident = await service.activate_plan(
        db=db, clock=clock, principal=principal, incident_id=incident_id, template_id=body.template_id
    )
    return to_read(incident)


@router.patch(
    "/{incident_id}/tasks/{task_id}",
    operation_id="updateTask",
    summary="Mark a checklist task done (or open again)",
    responses=STEP,
)
async def update_task(
    incident_id: IncidentId,
    task_id: Annotated[str, Path(min_length=1, max_length=16)],
    body: TaskUpdate,
    db: DbDep,
    clock: ClockDep,
    principal: Handler,
) -> IncidentRead:
    incident = await service.update_task(
        db=db, clock=clock, principal=principal, incident_id=incident_id, task_id=task_id, status=body.status
    )
    return to_read(incident)
