"""HTTP adapter for venues, their hygiene log and compounds' cleaning tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.http.params import Day
from gridline.idempotency import creation_id

from duty import rights
from duty.openapi import Responses
from duty.venues import cleaning, hygiene, service
from duty.venues.models import (
    CleaningTaskCreate,
    CleaningTaskDone,
    CleaningTaskRead,
    HygieneCreate,
    HygieneRead,
    VenueCreate,
    VenueRead,
    VenueUpdate,
)

router = APIRouter(tags=["venues"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_VENUES))]
Reader = Annotated[Principal, Depends(require(rights.READ_VENUES))]
Logger = Annotated[Principal, Depends(require(rights.LOG_VENUE))]
CleaningManager = Annotated[Principal, Depends(require(rights.MANAGE_CLEANING))]
CleaningDone = Annotated[Principal, Depends(require(rights.COMPLETE_CLEANING))]
Pages = Annotated[PageParams, Depends(page_params)]
VenueId = Annotated[str, Path(min_length=1, max_length=64)]
CommunityFilter = Annotated[str | None, Query(pattern=r"^\d{12}$")]
NOT_FOUND: Responses = {404: {"description": "unknown, or outside your jurisdiction"}}
REUSED_KEY: Responses = {409: {"description": "this Idempotency-Key was used with another body"}}


@router.post(
    "/v1/venues",
    operation_id="createVenue",
    status_code=status.HTTP_201_CREATED,
    summary="Register a venue with its responsible person and capacity cap",
    responses={**NOT_FOUND, **REUSED_KEY},
)
async def create_venue(
    body: VenueCreate,
    db: DbDep,
    clock: ClockDep,
    principal: Manager,
    idempotency_key: IdempotencyKey = None,
) -> VenueRead:
    venue_id = creation_id(principal=principal, operation="createVenue", key=idempotency_key)
    venue = await service.create(
        db=db, clock=clock, principal=principal, body=body, venue_id=venue_id, key=idempotency_key
    )
    return service.to_read(venue)


@router.get("/v1/venues", operation_id="listVenues", summary="Venues in your jurisdiction")
async def list_venues(
    db: DbDep, principal: Reader, page: Pages, community_code: CommunityFilter = None
) -> Page[VenueRead]:
    return await service.list_page(db=db, principal=principal, community_code=community_code, page=page)


@router.patch(
    "/v1/venues/{venue_id}",
    operation_id="updateVenue",
    summary="Change a venue's name, capacity, responsible person or activity",
    responses={**NOT_FOUND, 409: {"description": "changed by someone else meanwhile"}},
)
async def update_venue(
    venue_id: VenueId, body: VenueUpdate, db: DbDep, clock: ClockDep, principal: Manager
) -> VenueRead:
    venue = await service.update(db=db, clock=clock, principal=principal, venue_id=venue_id, body=body)
    return service.to_read(venue)


@router.post(
    "/v1/venues/{venue_id}/hygiene",
    operation_id="recordDisinfection",
    status_code=status.HTTP_201_CREATED,
    summary="Log a disinfection or a ventilation: time, area, agent, by whom",
    responses={**NOT_FOUND, **REUSED_KEY, 422: {"description": "in the future, or a disinfection without agent"}},
)
async def record_disinfection(
    venue_id: VenueId,
    body: HygieneCreate,
    db: DbDep,
    clock: ClockDep,
    principal: Logger,
    idempotency_key: IdempotencyKey = None,
) -> HygieneRead:
    entry_id = creation_id(principal=principal, operation="recordDisinfection", key=idempotency_key)
    entry = await hygiene.record(
        db=db, clock=clock, principal=principal, venue_id=venue_id, body=body, entry_id=entry_id, key=idempotency_key
    )
    return hygiene.to_read(entry)


@router.get(
    "/v1/venues/{venue_id}/hygiene",
    operation_id="listHygieneLog",
    summary="A venue's disinfection and ventilation log, optionally for one day",
    responses=NOT_FOUND,
)
async def list_hygiene_log(
    venue_id: VenueId, db: DbDep, principal: Reader, page: Pages, day: Day | None = None
) -> Page[HygieneRead]:
    return await hygiene.list_page(db=db, principal=principal, venue_id=venue_id, day=day, page=page)


@router.post(
    "/v1/cleaning-tasks",
    operation_id="createCleaningTask",
    status_code=status.HTTP_201_CREATED,
    summary="Give a property company a cleaning task for a compound's shared areas",
    responses={**NOT_FOUND, **REUSED_KEY},
)
async def create_cleaning_task(
    body: CleaningTaskCreate,
    db: DbDep,
    clock: ClockDep,
    principal: CleaningManager,
    idempotency_key: IdempotencyKey = None,
) -> CleaningTaskRead:
    task_id = creation_id(principal=principal, operation="createCleaningTask", key=idempotency_key)
    task = await cleaning.create(
        db=db, clock=clock, principal=principal, body=body, task_id=task_id, key=idempotency_key
    )
    return cleaning.to_read(task)


@router.post(
    "/v1/cleaning-tasks/{task_id}/done",
    operation_id="completeCleaningTask",
    summary="Record that a cleaning task was done",
    responses={**NOT_FOUND, 409: {"description": "done already"}},
)
async def complete_cleaning_task(
    task_id: Annotated[str, Path(min_length=1, max_length=64)],
    body: CleaningTaskDone,
    db: DbDep,
    clock: ClockDep,
    principal: CleaningDone,
) -> CleaningTaskRead:
    return cleaning.to_read(
        await cleaning.complete(db=db, clock=clock, principal=principal, task_id=task_id, body=body)
    )


@router.get("/v1/cleaning-tasks", operation_id="listCleaningTasks", summary="Cleaning tasks in your jurisdiction")
async def list_cleaning_tasks(
    db: DbDep,
    principal: Reader,
    page: Pages,
    community_code: CommunityFilter = None,
    status: Annotated[str | None, Query(pattern=r"^(open|done)$")] = None,
) -> Page[CleaningTaskRead]:
    return await cleaning.list_page(db=db, principal=principal, community_code=community_code, status=status, page=page)
