"""Registering and reading persons. Identifiers are sealed at rest, looked up by keyed hash, masked out."""

from __future__ import annotations

import uuid
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock, local_today
from gridline.errors import Conflict, Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, DuplicateKeyError, Index
from gridline.outbox import make_event, new_document
from gridline.pii import Protector, mask_document_number, mask_name, mask_phone

from registry import documents
from registry.grids import service as grids
from registry.persons import events
from registry.persons.classification import SOURCE, classified_event, classify_person, stored
from registry.persons.models import PersonCreate, PersonRead

COLLECTION = "persons"
INDEXES = [
    Index(COLLECTION, (("document.hash", 1),), unique=True, name="one_person_per_document"),
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
]


async def register(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    principal: Principal,
    body: PersonCreate,
    person_id: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """Register a person, classify them, and emit both facts in the same write."""
    number, phone = _validated_identifiers(body, clock)
    grid = await grids.get(db=db, principal=principal, grid_id=body.grid_id)
    if grid["community_code"] != body.community_code:
        raise Invalid("grid_id", "该网格不属于所填村/社区")
    person = _new_person(body, person_id, number, phone, protector, principal, clock)
    result = await classify_person(db=db, clock=clock, person=person)
    person["classification"] = stored(result, at=clock.now())
    outgoing = [
        _registered_event(person, clock),
        classified_event(person=person, result=result, previous=None, version=1, clock=clock),
    ]
    document = new_document(stamp(person, key=idempotency_key, body=body), outgoing, clock=clock)
    try:
        return await insert_once(db[COLLECTION], document, body=body)
    except DuplicateKeyError:
        existing = await db[COLLECTION].find_one({"document.hash": person["document"]["hash"]}, {"_id": 1})
        raise Conflict("该证件号码已登记", existing_person_id=existing["_id"] if existing else None) from None


def _validated_identifiers(body: PersonCreate, clock: Clock) -> tuple[str, str | None]:
    try:
        number = documents.validate(body.document.type, body.document.number, today=local_today(clock))
    except documents.InvalidDocument as exc:
        raise Invalid("document.number", str(exc)) from exc
    try:
        phone = documents.validate_phone(body.phone) if body.phone else None
    except documents.InvalidDocument as exc:
        raise Invalid("phone", str(exc)) from exc
    return number, phone


def _new_person(
    body: PersonCreate,
    person_id: str,
    number: str,
    phone: str | None,
    protector: Protector,
    principal: Principal,
    clock: Clock,
) -> dict[str, Any]:
    kind = body.document.type
    is_prc = kind is documents.DocumentType.PRC_ID
    return {
        "_id": person_id,
        "name": body.name,
        "gender": documents.gender_from_prc_id(number) if is_prc else None,
        "document": {
            "type": kind.value,
            "number": protector.seal(number, context="person.document"),
            "masked": mask_document_number(number),
            "hash": protector.keyed_hash(f"{kind.value}:{number}", context="person.document"),
        },
        "phone": protector.seal(phone, context="person.phone") if phone else None,
        "phone_masked": mask_phone(phone) if phone else None,
        "community_code": body.community_code,
        "grid_id": body.grid_id,
        "scope": scope_keys(body.community_code, body.grid_id),
        "address": body.address,
        "special_groups": [g.value for g in body.special_groups],
        "episodes": [_episode(person_id, i, e.model_dump(mode="json")) for i, e in enumerate(body.episodes)],
        "status": "active",
        "version": 1,
        "registered_at": clock.now(),
        "registered_by": principal.subject,
    }


def _episode(person_id: str, index: int, fields: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid5(uuid.UUID(person_id), f"episode-{index}")), **fields, "status": "active"}


def _registered_event(person: dict[str, Any], clock: Clock) -> Any:
    data = events.PersonRegistered(
        person_id=person["_id"],
        version=1,
        community_code=person["community_code"],
        grid_id=person["grid_id"],
        name_masked=mask_name(person["name"]),
        document_type=person["document"]["type"],
        document_masked=person["document"]["masked"],
        phone_masked=person["phone_masked"],
        special_groups=person["special_groups"],
        categories=[e["category"] for e in person["episodes"]],
        registered_at=person["registered_at"],
    )
    return make_event(events.REGISTERED, source=SOURCE, key=person["_id"], data=data, clock=clock)


async def get(*, db: Database, principal: Principal, person_id: str) -> dict[str, Any]:
    person = await db[COLLECTION].find_one({"_id": person_id, **principal.scope_filter()})
    if person is None:
        raise NotFound("person")
    return person


async def list_page(
    *, db: Database, principal: Principal, filters: dict[str, Any], page: PageParams
) -> Page[PersonRead]:
    query = {**principal.scope_filter(), **{k: v for k, v in filters.items() if v is not None}}
    return await paginate(db[COLLECTION], query, page, to_read)


def to_read(doc: dict[str, Any]) -> PersonRead:
    return PersonRead.model_validate(
        {
            **{
                k: doc.get(k)
                for k in (
                    "name",
                    "gender",
                    "community_code",
                    "grid_id",
                    "address",
                    "special_groups",
                    "episodes",
                    "classification",
                    "status",
                    "version",
                    "registered_at",
                )
            },
            "id": doc["_id"],
            "document_type": doc["document"]["type"],
            "document_number": doc["document"]["masked"],
            "phone": doc.get("phone_masked"),
        }
    )
