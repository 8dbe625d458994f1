from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from monitoring import rights
from monitoring.deps import MonitoringSettingsDep
from monitoring.rules import service as rules
from monitoring.venues import entries, service
from monitoring.venues.models import EntryCreate, EntryRead, ExitCreate, OccupancyRead, VenueCreate, VenueRead
from monitoring.venues.store import to_read

router = APIRouter(prefix="/v1/venues", tags=["venues"])
Manager = Annotated[Principal, Depends(require(rights.MANAGE_VENUES))]
Reader = Annotated[Principal, Depends(require(rights.READ_VENUES))]
Staff = Annotated[Principal, Depends(require(rights.RECORD_VENUE_ENTRY))]
VenueId = Annotated[str, Path(max_length=64)]
BUSY: dict[int | str, dict[str, Any]] = {
    409: {"description": "the venue is closed, or too many entries at once (retry)"}
}


@router.post(
    "",
    operation_id="createVenue",
    status_code=status.HTTP_201_CREATED,
    summary="List a venue (a service centre) where entries are checked, with its cap of people at once",
)
async def create_venue(
    body: VenueCreate, db: DbDep, clock: ClockDep, principal: Manager, idempotency_key: IdempotencyKey = None
) -> VenueRead:
    venue_id = creation_id(principal=principal, operation="createVenue", key=idempotency_key)
    venue = await service.create(
        db=db, clock=clock, principal=principal, body=body, venue_id=venue_id, key=idempotency_key
    )
    return to_read(venue)


@router.get("", operation_id="listVenues", summary="Venues in your jurisdiction")
async def list_venues(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
) -> Page[VenueRead]:
    return await service.list_page(db=db, principal=principal, community_code=community_code, page=page)


@router.post(
    "/{venue_id}/entries",
    operation_id="recordVenueEntry",
    status_code=status.HTTP_201_CREATED,
    summary="Check a visitor at the door: temperature, code colour, mask; fever or a yellow/red code raises an alert",
    responses=BUSY,
)
async def record_venue_entry(
    venue_id: VenueId,
    body: EntryCreate,
    db: DbDep,
    clock: ClockDep,
    settings: MonitoringSettingsDep,
    principal: Staff,
    idempotency_key: IdempotencyKey = None,
) -> EntryRead:
    venue = await service.get(db=db, principal=principal, venue_id=venue_id)
    found = await rules.for_community(
        db=db, community_code=venue["community_code"], cache_seconds=settings.rules_cache_seconds
    )
    entry_id = creation_id(principal=principal, operation="recordVenueEntry", key=idempotency_key)
    entry = await entries.record_entry(db=db, clock=clock, rules=found, venue=venue, body=body, entry_id=entry_id)
    return entry


@router.post(
    "/{venue_id}/exits",
    operation_id="recordVenueExit",
    status_code=status.HTTP_201_CREATED,
    summary="Count visitors leaving, so occupancy stays true",
    responses=BUSY,
)
async def record_venue_exit(
    venue_id: VenueId,
    body: ExitCreate,
    db: DbDep,
    clock: ClockDep,
    principal: Staff,
    idempotency_key: IdempotencyKey = None,
) -> OccupancyRead:
    venue = await service.get(db=db, principal=principal, venue_id=venue_id)
    exit_id = creation_id(principal=principal, operation="recordVenueExit", key=idempotency_key)
    return await entries.record_exit(db=db, clock=clock, venue=venue, body=body, exit_id=exit_id)


@router.get(
    "/{venue_id}/occupancy",
    operation_id="getVenueOccupancy",
    summary="People in the venue now against its cap, and today's entries and exits",
)
async def get_venue_occupancy(venue_id: VenueId, db: DbDep, clock: ClockDep, principal: Reader) -> OccupancyRead:
    venue = await service.get(db=db, principal=principal, venue_id=venue_id)
    return await entries.occupancy(db=db, clock=clock, venue=venue)
