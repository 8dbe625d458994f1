from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from gridline.auth import Principal
from gridline.http.bounds import PathKey
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from registry import rights
from registry.persons import changes, registration, reveal, service
from registry.persons.models import (
    AuditEntryRead,
    EpisodeCreate,
    EpisodeUpdate,
    MergeRequest,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    RevealRead,
    RevealRequest,
    TransferRequest,
)
from registry.vocabulary import Category, Measure, SpecialGroup

router = APIRouter(prefix="/v1/persons", tags=["persons"])
Registrar = Annotated[Principal, Depends(require(rights.REGISTER_PERSON))]
Reader = Annotated[Principal, Depends(require(rights.READ_PERSONS))]


@router.post(
    "",
    operation_id="registerPerson",
    status_code=status.HTTP_201_CREATED,
    summary="Register a person (documents validated, duplicates refused, classified at once)",
    responses={409: {"description": "already registered; names the existing person"}},
)
async def register_person(
    body: PersonCreate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    principal: Registrar,
    idempotency_key: IdempotencyKey = None,
) -> PersonRead:
    person_id = creation_id(principal=principal, operation="registerPerson", key=idempotency_key)
    person = await registration.register(
        db=db,
        clock=clock,
        protector=protector,
        principal=principal,
        body=body,
        person_id=person_id,
        idempotency_key=idempotency_key,
    )
    return service.to_read(person)


@router.get("/{person_id}", operation_id="getPerson", summary="One person, sensitive fields masked")
async def get_person(person_id: PathKey, db: DbDep, principal: Reader) -> PersonRead:
    return service.to_read(await service.get(db=db, principal=principal, person_id=person_id))


@router.get("", operation_id="listPersons", summary="Persons in your jurisdiction, masked")
async def list_persons(
    db: DbDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    grid_id: Annotated[str | None, Query(max_length=64)] = None,
    category: Category | None = None,
    measure: Measure | None = None,
    special_group: SpecialGroup | None = None,
) -> Page[PersonRead]:
    filters = {
        "grid_id": grid_id,
        "episodes.category": category,
        "classification.measure": measure,
        "special_groups": special_group,
    }
    return await service.list_page(db=db, principal=principal, filters=filters, page=page)


Changer = Annotated[Principal, Depends(require(rights.UPDATE_PERSON))]
Revealer = Annotated[Principal, Depends(require(rights.REVEAL_PERSON))]
Auditor = Annotated[Principal, Depends(require(rights.READ_PERSON_AUDIT))]


@router.patch(
    "/{person_id}",
    operation_id="updatePerson",
    summary="Change a person's details (given fields only)",
    responses={409: {"description": "changed by someone else meanwhile (send `version` to detect it)"}},
)
async def update_person(
    person_id: PathKey,
    body: PersonUpdate,
    db: DbDep,
    clock: ClockDep,
    protector: ProtectorDep,
    principal: Changer,
) -> PersonRead:
    person = await changes.update(
        db=db, clock=clock, protector=protector, principal=principal, person_id=person_id, body=body
    )
    return service.to_read(person)


@router.post(
    "/{person_id}/episodes",
    operation_id="addEpisode",
    status_code=status.HTTP_201_CREATED,
    summary="Record a new key-population episode; the person is re-classified",
)
async def add_episode(
    person_id: PathKey, body: EpisodeCreate, db: DbDep, clock: ClockDep, principal: Changer
) -> PersonRead:
    person = await changes.add_episode(db=db, clock=clock, principal=principal, person_id=person_id, body=body)
    return service.to_read(person)


@router.patch(
    "/{person_id}/episodes/{episode_id}",
    operation_id="updateEpisode",
    summary="Change or close an episode; the person is re-classified",
)
async def update_episode(
    person_id: PathKey,
    episode_id: PathKey,
    body: EpisodeUpdate,
    db: DbDep,
    clock: ClockDep,
    principal: Changer,
) -> PersonRead:
    person = await changes.update_episode(
        db=db, clock=clock, principal=principal, person_id=person_id, episode_id=episode_id, body=body
    )
    return service.to_read(person)


@router.post(
    "/{person_id}/transfer",
    operation_id="transferPerson",
    summary="Transfer out to another community's grid, keeping the person's state",
)
async def transfer_person(
    person_id: PathKey, body: TransferRequest, db: DbDep, clock: ClockDep, principal: Changer
) -> PersonRead:
    person = await changes.transfer(db=db, clock=clock, principal=principal, person_id=person_id, body=body)
    return service.to_read(person)


@router.post(
    "/{person_id}/merge",
    operation_id="mergePersons",
    summary="Fold a duplicate record into this person, keeping the history of both",
)
async def merge_persons(
    person_id: PathKey, body: MergeRequest, db: DbDep, clock: ClockDep, principal: Changer
) -> PersonRead:
    person = await changes.merge(db=db, clock=clock, principal=principal, person_id=person_id, body=body)
    return service.to_read(person)


@router.post(
    "/{person_id}/reveal",
    operation_id="revealPerson",
    summary="Show sensitive fields in full, for a stated purpose; every reveal is audited",
)
async def reveal_person(
    person_id: PathKey, body: RevealRequest, db: DbDep, clock: ClockDep, protector: ProtectorDep, principal: Revealer
) -> RevealRead:
    return await reveal.reveal(
        db=db, clock=clock, protector=protector, principal=principal, person_id=person_id, body=body
    )


@router.get("/{person_id}/audit", operation_id="listPersonAudit", summary="Who saw this person's data, and why")
async def list_person_audit(
    person_id: PathKey, db: DbDep, principal: Auditor, page: Annotated[PageParams, Depends(page_params)]
) -> Page[AuditEntryRead]:
    return await reveal.audit_page(db=db, principal=principal, person_id=person_id, page=page)
