"""Registering a person: identifiers validated, sealed at rest, hashed for duplicates, classified at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock, local_today
from gridline.errors import Conflict, Invalid
from gridline.events import Event
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, DuplicateKeyError
from gridline.outbox import make_event, new_document
from gridline.pii import Protector, mask_document_number, mask_name, mask_phone

from registry import documents
from registry.grids import service as grids
from registry.persons import events
from registry.persons.classification import SOURCE, classified_event, classify_person, stored
from registry.persons.models import GuardianIn, PersonCreate
from registry.rules import snapshot
from registry.rules.snapshot import Snapshot

COLLECTION = "persons"


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
    grid = await grids.get(db=db, principal=principal, grid_id=body.grid_id)
    if grid["community_code"] != body.community_code:
        raise Invalid("grid_id", "该网格不属于所填村/社区")
    document = prepare(
        body=body,
        person_id=person_id,
        actor=principal.subject,
        protector=protector,
        clock=clock,
        snapshot=await snapshot.load(db=db, clock=clock),
    )
    document = stamp(document, key=idempotency_key, body=body)
    try:
        return await insert_once(db[COLLECTION], document, body=body)
    except DuplicateKeyError:
        existing = await db[COLLECTION].find_one(
            {"document.hash": document["document"]["hash"]}, {"_id": 1, "merged_into": 1}
        )
        named = (existing.get("merged_into") or existing["_id"]) if existing else None
        raise Conflict("该证件号码已登记", existing_person_id=named) from None


def prepare(
    *, body: PersonCreate, person_id: str, actor: str, protector: Protector, clock: Clock, snapshot: Snapshot
) -> dict[str, Any]:
    """The new person's document with its first events inside, ready for one insert (pure but for time)."""
    number, phone = _validated_identifiers(body, clock)
    person = _new_person(body, person_id, number, phone, protector, actor, clock)
    result = classify_person(snapshot, person)
    person["classification"] = stored(result, at=clock.now())
    outgoing = [
        _registered_event(person, clock),
        classified_event(person=person, result=result, previous=None, version=1, clock=clock),
    ]
    return new_document(person, outgoing, clock=clock)


def origins(codes: Iterable[str | None]) -> list[str]:
    """Every division containing a place the person came from: a risk area there finds them by equality."""
    return sorted({code[:n] for code in codes if code for n in (6, 9, 12) if len(code) >= n})


def document_hash(protector: Protector, kind: str, number: str) -> str:
    return protector.keyed_hash(f"{kind}:{number}", context="person.document")


def _validated_identifiers(body: PersonCreate, clock: Clock) -> tuple[str, str | None]:
    today = local_today(clock)
    try:
        number = documents.validate(body.document.type, body.document.number, today=today)
    except documents.InvalidDocument as exc:
        raise Invalid("document.number", str(exc)) from exc
    phone = checked_phone(body.phone, path="phone")
    born = documents.prc_birth_date(number) if body.document.type is documents.DocumentType.PRC_ID else body.birth_date
    if born is not None and _age(born, today) < CHILD_AGE and body.guardian is None:
        raise Invalid("guardian", "未满14周岁的儿童须同时登记监护人")
    return number, phone


CHILD_AGE = 14


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def checked_phone(phone: str | None, *, path: str) -> str | None:
    try:
        return documents.validate_phone(phone) if phone else None
    except documents.InvalidDocument as exc:
        raise Invalid(path, str(exc)) from exc


def sealed_guardian(guardian: GuardianIn | None, protector: Protector) -> dict[str, Any] | None:
    """The guardian as stored: the phone sealed and masked like the child's own identifiers."""
    if guardian is None:
        return None
    phone = checked_phone(guardian.phone, path="guardian.phone")
    assert phone is not None
    return {
        "name": guardian.name,
        "relation": guardian.relation,
        "phone": protector.seal(phone, context="person.guardian_phone"),
        "phone_masked": mask_phone(phone),
    }


def _new_person(
    body: PersonCreate,
    person_id: str,
    number: str,
    phone: str | None,
    protector: Protector,
    actor: str,
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
            "hash": document_hash(protector, kind.value, number),
        },
        "phone": protector.seal(phone, context="person.phone") if phone else None,
        "phone_masked": mask_phone(phone) if phone else None,
        "community_code": body.community_code,
        "grid_id": body.grid_id,
        "scope": scope_keys(body.community_code, body.grid_id),
        "address": body.address,
        "guardian": sealed_guardian(body.guardian, protector),
        "special_groups": [g.value for g in body.special_groups],
        "episodes": [_episode(person_id, i, e.model_dump(mode="json")) for i, e in enumerate(body.episodes)],
        "origins": origins(e.origin_division_code for e in body.episodes),
        "status": "active",
        "version": 1,
        "registered_at": clock.now(),
        "registered_by": actor,
    }


def _episode(person_id: str, index: int, fields: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid5(uuid.UUID(person_id), f"episode-{index}")), **fields, "status": "active"}


def _registered_event(person: dict[str, Any], clock: Clock) -> Event:
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
