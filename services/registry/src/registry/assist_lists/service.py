"""Assist-investigation lists (协查) pushed down by a higher level, each entry found and reported back.

Reading them: confined to the caller's jurisdiction (entries outside it do not exist for them) and masked.
"""

from __future__ import annotations

from typing import Any

from gridline import signatures, webhooks
from gridline.auth import Principal
from gridline.errors import NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.jobs import JobKind
from gridline.mongo import ASCENDING, Database, Index

from registry.assist_lists import reporting
from registry.assist_lists.models import (
    AssistListRead,
    AssistListSummary,
    DeliveryRead,
    EntryRead,
    EntryStatus,
    Match,
    ReportRead,
)
from registry.assist_lists.store import ENTRIES, LISTS

INDEXES: list[Index] = [
    Index(ENTRIES, (("list_id", ASCENDING), ("scope", ASCENDING), ("_id", ASCENDING))),
    Index(ENTRIES, (("scope", ASCENDING), ("list_id", ASCENDING))),
    Index(webhooks.COLLECTION, (("tags.list_id", ASCENDING), ("tags.scope", ASCENDING), ("_id", ASCENDING))),
    *webhooks.INDEXES,
    *signatures.INDEXES,
]
JOBS: list[JobKind] = [reporting.JOB, reporting.RECEIPT_JOB]
# The push route's own body limit (the service default of 1 MiB holds about 2,400 entries). A realistic
# entry (18-character list-scoped id, a 3–4 character name, PRC ID, phone, a 40-character reason) is
# ~430 bytes as JSON with non-ASCII escaped as \uXXXX, ~315 bytes as raw UTF-8: 10,000 of them are
# 4.1 MiB at most. 8 MiB leaves about twice that, for pretty-printing or longer names and reasons.
PUSH_BODY_LIMIT = 8 * 1024 * 1024


async def get_list(*, db: Database, principal: Principal, list_id: str, page: PageParams) -> AssistListRead:
    """The list with counts and one page of its entries, as far as they lie in the caller's jurisdiction."""
    header = await _visible(db, principal, list_id)
    query = {"list_id": list_id, **principal.scope_filter()}
    entries = await paginate(db[ENTRIES], query, page, dict)
    return AssistListRead(
        list_id=list_id,
        issued_by=header["issued_by"],
        deadline=header["deadline"],
        received_at=header["received_at"],
        complete=header["state"] == "received",
        statuses=await _statuses(db, query),
        entries=await read_entries(db=db, entries=entries.items),
        next_cursor=entries.next_cursor,
    )


async def list_lists(*, db: Database, principal: Principal, page: PageParams) -> Page[AssistListSummary]:
    """The lists with at least one entry in the caller's jurisdiction, with the counts of those entries."""
    list_ids = await db[ENTRIES].distinct("list_id", principal.scope_filter())
    headers = await paginate(db[LISTS], {"_id": {"$in": sorted(list_ids)}}, page, dict)
    items = [
        AssistListSummary(
            list_id=header["_id"],
            issued_by=header["issued_by"],
            deadline=header["deadline"],
            received_at=header["received_at"],
            complete=header["state"] == "received",
            statuses=await _statuses(db, {"list_id": header["_id"], **principal.scope_filter()}),
        )
        for header in headers.items
    ]
    return Page(items=items, next_cursor=headers.next_cursor)


async def list_deliveries(*, db: Database, principal: Principal, list_id: str, page: PageParams) -> Page[DeliveryRead]:
    """Every report-back attempt for the caller's entries of a list: the list's receipt, then each entry's."""
    await _visible(db, principal, list_id)
    query = {"tags.list_id": list_id, "tags.scope": principal.jurisdiction}
    return await paginate(db[webhooks.COLLECTION], query, page, to_delivery_read)


async def _visible(db: Database, principal: Principal, list_id: str) -> dict[str, Any]:
    """The list's header when at least one entry lies in the caller's jurisdiction; 404 otherwise."""
    header = await db[LISTS].find_one({"_id": list_id})
    if (
        header is None
        or await db[ENTRIES].find_one({"list_id": list_id, **principal.scope_filter()}, {"_id": 1}) is None
    ):
        raise NotFound("assist list")
    return header


async def _statuses(db: Database, query: dict[str, Any]) -> dict[EntryStatus, int]:
    statuses = dict.fromkeys(EntryStatus, 0)
    pipeline: list[dict[str, Any]] = [{"$match": query}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    async for group in await db[ENTRIES].aggregate(pipeline):
        statuses[EntryStatus(group["_id"])] = group["n"]
    return statuses


async def read_entries(*, db: Database, entries: list[dict[str, Any]]) -> list[EntryRead]:
    """Entries as a worker sees them: masked, each with how its report-back is getting on."""
    reports = await reporting.summaries(db=db, entries=entries)
    return [to_entry_read(e, reports[e["_id"]]) for e in entries]


def to_entry_read(doc: dict[str, Any], report: ReportRead) -> EntryRead:
    return EntryRead(
        list_id=doc["list_id"],
        entry_id=doc["entry_id"],
        name=doc["name_masked"],
        document_type=doc["document"]["type"],
        document_number=doc["document"]["masked"],
        phone=doc.get("phone_masked"),
        community_code=doc["community_code"],
        reason=doc.get("reason"),
        status=EntryStatus(doc["status"]),
        version=doc["version"],
        note=doc.get("note"),
        match=Match(doc["match"]),
        person_id=doc.get("person_id"),
        updated_at=doc["updated_at"],
        report=report,
    )


def to_delivery_read(doc: dict[str, Any]) -> DeliveryRead:
    tags = doc["tags"]
    return DeliveryRead(
        entry_id=tags.get("entry_id"),
        entries=tags.get("entries"),
        version=tags["version"],
        status=EntryStatus(tags["status"]),
        attempt=doc["attempt"],
        outcome=doc["outcome"],
        status_code=doc.get("status_code"),
        error=doc.get("error"),
        attempted_at=doc["attempted_at"],
        duration_ms=doc["duration_ms"],
    )
