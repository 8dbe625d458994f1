from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, IdempotencyKey, ProtectorDep, WakeRelay, require
from gridline.http.pagination import Page, PageParams, page_params
from gridline.idempotency import creation_id

from registry import rights
from registry.persons import registration, service
from registry.persons.models import PersonCreate, PersonRead
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
    wake: WakeRelay,
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
    wake()
    return service.to_read(person)


@router.get("/{person_id}", operation_id="getPerson", summary="One person, sensitive fields masked")
async def get_person(person_id: str, db: DbDep, principal: Reader) -> PersonRead:
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
