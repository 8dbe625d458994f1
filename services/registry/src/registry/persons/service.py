"""Reading persons, always inside the caller's jurisdiction and always masked."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.errors import NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, Index

from registry.persons.models import PersonRead
from registry.persons.registration import COLLECTION

INDEXES = [
    Index(COLLECTION, (("document.hash", 1),), unique=True, name="one_person_per_document"),
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
    Index(COLLECTION, (("origins", 1), ("_id", 1))),
]


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


def _guardian(stored: dict[str, Any] | None) -> dict[str, str] | None:
    if not stored:
        return None
    return {"name": stored["name"], "relation": stored["relation"], "phone": stored["phone_masked"]}


_READ_FIELDS = (
    "name",
    "gender",
    "community_code",
    "grid_id",
    "address",
    "special_groups",
    "episodes",
    "classification",
    "status",
    "merged_into",
    "version",
    "registered_at",
)


def to_read(doc: dict[str, Any]) -> PersonRead:
    return PersonRead.model_validate(
        {
            **{k: doc.get(k) for k in _READ_FIELDS},
            "id": doc["_id"],
            "document_type": doc["document"]["type"],
            "document_number": doc["document"]["masked"],
            "phone": doc.get("phone_masked"),
            "guardian": _guardian(doc.get("guardian")),
        }
    )
