"""A resident's contact in full: only to the request's assigned helper, only while it is open, always audited."""

from __future__ import annotations

import uuid
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, Index
from gridline.pii import Protector

from care import contacts
from care.requests import service
from care.requests.documents import COLLECTION
from care.requests.models import AuditEntryRead, RevealBody, RevealRead
from care.vocabulary import Status

AUDIT = "request_audit"
INDEXES = [Index(AUDIT, (("request_id", 1), ("_id", 1)))]
REVEALABLE = frozenset({Status.ASSIGNED, Status.ACKNOWLEDGED, Status.IN_PROGRESS})


async def reveal(
    *, db: Database, clock: Clock, protector: Protector, principal: Principal, request_id: str, body: RevealBody
) -> RevealRead:
    """Open the contact for its assigned helper; the audit entry is stored first, so nothing leaves unrecorded."""
    request = await db[COLLECTION].find_one({"_id": request_id, service.ASSIGNED_TO: principal.subject})
    if request is None:
        raise NotFound("request")
    if request["status"] not in REVEALABLE:
        raise Conflict("求助已结束，不能再查看联系方式", current_status=request["status"])
    stored = request.get("contact") or {}
    fields = [f for f in ("name", "phone", "address") if stored.get(f)]
    # Ids sort by time, so the audit list reads in the order things happened.
    audit_id = f"{clock.now():%Y%m%d%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    await db[AUDIT].insert_one(
        {
            "_id": audit_id,
            "request_id": request_id,
            "person_id": request.get("person_id"),
            "actor": principal.subject,
            "roles": sorted(principal.roles),
            "jurisdiction": principal.jurisdiction,
            "action": "reveal",
            "purpose": body.purpose.value,
            "detail": body.detail,
            "fields": fields,
            "at": clock.now(),
        }
    )
    return RevealRead(request_id=request_id, audit_id=audit_id, **contacts.opened(stored, protector))


async def audit_page(*, db: Database, principal: Principal, request_id: str, page: PageParams) -> Page[AuditEntryRead]:
    await service.get(db=db, principal=principal, request_id=request_id)
    return await paginate(db[AUDIT], {"request_id": request_id}, page, _read)


def _read(doc: dict[str, Any]) -> AuditEntryRead:
    return AuditEntryRead.model_validate({**doc, "id": doc["_id"]})
