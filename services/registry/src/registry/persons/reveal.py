"""Showing a sensitive field in full: only with a stated purpose, and only after the audit record is written."""

from __future__ import annotations

import uuid
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, Index
from gridline.pii import Protector

from registry.persons import service
from registry.persons.models import AuditEntryRead, RevealRead, RevealRequest

AUDIT = "person_audit"
INDEXES = [Index(AUDIT, (("person_id", 1), ("_id", 1)))]


async def reveal(
    *, db: Database, clock: Clock, protector: Protector, principal: Principal, person_id: str, body: RevealRequest
) -> RevealRead:
    """Open the requested fields; the audit entry is stored first, so no value leaves without its record."""
    person = await service.get(db=db, principal=principal, person_id=person_id)
    # Ids sort by time, so the audit list reads in the order things happened.
    audit_id = f"{clock.now():%Y%m%d%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    await db[AUDIT].insert_one(
        {
            "_id": audit_id,
            "person_id": person_id,
            "actor": principal.subject,
            "actor_name": _display_name(principal),
            "roles": sorted(principal.roles),
            "jurisdiction": principal.jurisdiction,
            "action": "reveal",
            "purpose": body.purpose.value,
            "detail": body.detail,
            "fields": list(body.fields),
            "at": clock.now(),
        }
    )
    return RevealRead(person_id=person_id, audit_id=audit_id, **{f: _open(person, f, protector) for f in body.fields})


def _display_name(principal: Principal) -> str | None:
    """The name the caller's token carries, so the audit list names people rather than account ids."""
    name = principal.claims.get("name")
    return name[:60] if isinstance(name, str) and name.strip() else None


def _open(person: dict[str, Any], field: str, protector: Protector) -> str | None:
    if field == "document_number":
        return protector.open(person["document"]["number"], context="person.document")
    if field == "phone":
        return protector.open(person["phone"], context="person.phone") if person.get("phone") else None
    guardian = person.get("guardian")
    return protector.open(guardian["phone"], context="person.guardian_phone") if guardian else None


async def audit_page(*, db: Database, principal: Principal, person_id: str, page: PageParams) -> Page[AuditEntryRead]:
    await service.get(db=db, principal=principal, person_id=person_id)
    return await paginate(
        db[AUDIT], {"person_id": person_id}, page, lambda d: AuditEntryRead.model_validate({**d, "id": d["_id"]})
    )
