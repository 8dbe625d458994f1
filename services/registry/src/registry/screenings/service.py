"""Recording a screening. New people are registered with ids derived from the screening, so a retried
request (same Idempotency-Key) registers nobody twice and returns the first result."""

from __future__ import annotations

import uuid
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import Invalid
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, DuplicateKeyError, Index
from gridline.pii import Protector

from registry.grids import service as grids
from registry.persons import registration
from registry.persons.models import PersonCreate
from registry.rules import snapshot as snapshots
from registry.screenings.models import NewPersonOutcome, ScreeningCreate, ScreeningRead

COLLECTION = "screenings"
INDEXES = [Index(COLLECTION, (("scope", 1), ("_id", 1)))]


async def record(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    principal: Principal,
    body: ScreeningCreate,
    screening_id: str,
    key: str | None,
) -> dict[str, Any]:
    grid = await grids.get(db=db, principal=principal, grid_id=body.grid_id)
    if grid["community_code"] != body.community_code:
        raise Invalid("grid_id", "该网格不属于所填村/社区")
    await _check_known(db, principal, body)
    prepared = _prepare_all(body, screening_id, principal, protector, clock, await snapshots.load(db=db, clock=clock))
    outcomes = [await _register(db, i, person, document, protector) for i, (person, document) in enumerate(prepared)]
    screening = {
        "_id": screening_id,
        "community_code": body.community_code,
        "grid_id": body.grid_id,
        "scope": scope_keys(body.community_code, body.grid_id),
        "household": body.household,
        "method": body.method,
        "screened_at": body.screened_at or clock.now(),
        "found": body.found,
        "away": body.away,
        "new_persons": [o.model_dump() for o in outcomes],
        "note": body.note,
        "screened_by": principal.subject,
        "screened_by_name": _display_name(principal),
    }
    return await insert_once(db[COLLECTION], stamp(screening, key=key, body=body), body=body)


def _display_name(principal: Principal) -> str | None:
    """The name the caller's token carries, so the list names people rather than account ids."""
    name = principal.claims.get("name")
    return name[:60] if isinstance(name, str) and name.strip() else None


async def _check_known(db: Database, principal: Principal, body: ScreeningCreate) -> None:
    for field in ("found", "away"):
        for i, person_id in enumerate(getattr(body, field)):
            if await db[registration.COLLECTION].count_documents({"_id": person_id, **principal.scope_filter()}) == 0:
                raise Invalid(f"{field}.{i}", "本辖区没有这个人员")


def _prepare_all(
    body: ScreeningCreate,
    screening_id: str,
    principal: Principal,
    protector: Protector,
    clock: Clock,
    snapshot: snapshots.Snapshot,
) -> list[tuple[PersonCreate, dict[str, Any]]]:
    """Validate every new person before registering any, so a bad entry leaves nothing half-recorded."""
    prepared = []
    for i, new in enumerate(body.new_persons):
        person = PersonCreate(**new.model_dump(), community_code=body.community_code, grid_id=body.grid_id)
        person_id = str(uuid.uuid5(uuid.UUID(screening_id), f"new-person-{i}"))
        try:
            document = registration.prepare(
                body=person,
                person_id=person_id,
                actor=principal.subject,
                protector=protector,
                clock=clock,
                snapshot=snapshot,
            )
        except Invalid as exc:
            errors = [
                {"path": f"new_persons.{i}.{e['path']}", "message": e["message"]} for e in exc.extensions["errors"]
            ]
            raise Invalid(errors[0]["path"], errors[0]["message"]) from exc
        prepared.append((person, stamp(document, key=screening_id, body=person)))
    return prepared


async def _register(
    db: Database, index: int, person: PersonCreate, document: dict[str, Any], protector: Protector
) -> NewPersonOutcome:
    try:
        stored = await insert_once(db[registration.COLLECTION], document, body=person)
        return NewPersonOutcome(index=index, person_id=stored["_id"], outcome="registered")
    except DuplicateKeyError:
        existing = await db[registration.COLLECTION].find_one({"document.hash": document["document"]["hash"]})
        assert existing is not None
        return NewPersonOutcome(
            index=index, person_id=existing.get("merged_into") or existing["_id"], outcome="already_registered"
        )


async def list_page(
    *, db: Database, principal: Principal, grid_id: str | None, page: PageParams
) -> Page[ScreeningRead]:
    query: dict[str, Any] = principal.scope_filter()
    if grid_id:
        query["grid_id"] = grid_id
    return await paginate(db[COLLECTION], query, page, to_read)


def to_read(doc: dict[str, Any]) -> ScreeningRead:
    return ScreeningRead.model_validate({**doc, "id": doc["_id"]})
