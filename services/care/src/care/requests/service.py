"""Reading requests: coordinators see their jurisdiction, a helper only what is assigned to them."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.errors import NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, Index

from care import contacts, rights
from care.requests.documents import COLLECTION
from care.requests.models import RequestRead

ASSIGNED_TO = "assignee.account"
INDEXES = [
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("status", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("person_id", 1), ("_id", 1))),
    Index(COLLECTION, ((ASSIGNED_TO, 1), ("_id", 1))),
    Index(COLLECTION, ((ASSIGNED_TO, 1), ("status", 1), ("_id", 1))),
    Index(COLLECTION, (("person_id", 1), ("opened_at", -1))),  # a resident's own requests, newest first
]


def visible_to(principal: Principal) -> dict[str, Any]:
    """The requests a caller may see: inside their jurisdiction, or, for a helper, assigned to them."""
    if principal.has_any(rights.SEE_ALL_REQUESTS):
        return principal.scope_filter()
    return {ASSIGNED_TO: principal.subject}


async def get(*, db: Database, principal: Principal, request_id: str) -> dict[str, Any]:
    request = await db[COLLECTION].find_one({"_id": request_id, **visible_to(principal)})
    if request is None:
        raise NotFound("request")
    return request


async def list_page(
    *, db: Database, principal: Principal, status: str | None, person_id: str | None, page: PageParams
) -> Page[RequestRead]:
    query = visible_to(principal)
    if person_id is not None:
        query["person_id"] = person_id
    if status is not None:
        query["status"] = status
    return await paginate(db[COLLECTION], query, page, to_read, {"_outbox": 0})


def to_read(doc: dict[str, Any]) -> RequestRead:
    helper = doc.get("assignee")
    return RequestRead.model_validate(
        {
            **doc,
            "id": doc["_id"],
            "assignee": {k: helper[k] for k in ("helper_id", "name", "kind")} if helper else None,
            "contact": contacts.masked(doc.get("contact")),
            "overdue": doc.get("overdue") or {},
        }
    )
