"""Property companies' cleaning of residential compounds' shared areas: tasks with a due day, marked done."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, Index, update_guarded

from duty.access import require_covers, scoped_indexes, scoped_query
from duty.venues.models import CleaningTaskCreate, CleaningTaskDone, CleaningTaskRead

COLLECTION = "cleaning_tasks"
INDEXES = [
    *scoped_indexes(COLLECTION),
    Index(COLLECTION, (("scope", 1), ("status", 1), ("_id", 1))),
]


async def create(
    *, db: Database, clock: Clock, principal: Principal, body: CleaningTaskCreate, task_id: str, key: str | None
) -> dict[str, Any]:
    scope = require_covers(principal, body.community_code, what="community")
    document = {
        "_id": task_id,
        "community_code": body.community_code,
        "scope": scope,
        "compound": body.compound,
        "area": body.area,
        "company": body.company,
        "due_on": body.due_on.isoformat(),
        "status": "open",
        "created_at": clock.now(),
        "created_by": principal.subject,
    }
    return await insert_once(db[COLLECTION], stamp(document, key=key, body=body), body=body)


async def complete(
    *, db: Database, clock: Clock, principal: Principal, task_id: str, body: CleaningTaskDone
) -> dict[str, Any]:
    task = await db[COLLECTION].find_one({"_id": task_id, **principal.scope_filter()})
    if task is None:
        raise NotFound("cleaning task")
    if body.done_at.tzinfo is None or body.done_at > clock.now():
        raise Invalid("done_at", "完成时间须带时区且不晚于现在")
    changes = {"status": "done", "done_at": body.done_at, "by_name": body.by_name, "agent": body.agent}
    changes["recorded_by"] = principal.subject
    if not await update_guarded(db[COLLECTION], task_id, {"status": "open"}, {"$set": changes}):
        raise Conflict("该清洁任务已完成")
    return {**task, **changes}


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, status: str | None, page: PageParams
) -> Page[CleaningTaskRead]:
    query: dict[str, Any] = scoped_query(principal, community_code)
    if status is not None:
        query["status"] = status
    return await paginate(db[COLLECTION], query, page, to_read)


def to_read(doc: dict[str, Any]) -> CleaningTaskRead:
    return CleaningTaskRead(id=doc["_id"], **{k: doc.get(k) for k in CleaningTaskRead.model_fields if k != "id"})
