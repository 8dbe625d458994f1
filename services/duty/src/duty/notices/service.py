"""Notices: published with a validity period; a stored job marks each expired when its period ends.

The public list reads one community's published notices by an indexed equality; expiring them by a timer
(rather than filtering on dates alone) keeps that set small however many notices a community has issued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.jobs import JobContext, JobKind, schedule
from gridline.mongo import Database, Index, update_guarded

from duty.access import require_covers, scoped_indexes, scoped_query
from duty.notices.models import NoticeCreate, NoticeRead

COLLECTION = "notices"
INDEXES = [
    Index(COLLECTION, (("community_code", 1), ("status", 1), ("_id", 1))),
    *scoped_indexes(COLLECTION),
]
EXPIRE = "notice.expire"


async def publish(
    *, db: Database, clock: Clock, principal: Principal, body: NoticeCreate, notice_id: str, key: str | None
) -> dict[str, Any]:
    scope = require_covers(principal, body.community_code, what="community")
    document = {
        "_id": notice_id,
        "community_code": body.community_code,
        "scope": scope,
        "kind": body.kind.value,
        "title": body.title,
        "body": body.body,
        "valid_from": body.valid_from,
        "valid_until": body.valid_until,
        "status": "published",
        "published_at": clock.now(),
        "published_by": principal.subject,
    }
    notice = await insert_once(db[COLLECTION], stamp(document, key=key, body=body), body=body)
    await schedule(
        db,
        job_id=f"{EXPIRE}:{notice_id}",
        kind=EXPIRE,
        due_at=body.valid_until,
        payload={"notice_id": notice_id},
        clock=clock,
    )
    return notice


async def withdraw(*, db: Database, clock: Clock, principal: Principal, notice_id: str) -> dict[str, Any]:
    notice = await db[COLLECTION].find_one({"_id": notice_id, **principal.scope_filter()})
    if notice is None:
        raise NotFound("notice")
    changes = {"status": "withdrawn", "withdrawn_at": clock.now(), "withdrawn_by": principal.subject}
    if not await update_guarded(db[COLLECTION], notice_id, {"status": "published"}, {"$set": changes}):
        raise Conflict("该通知已撤回或已过期", current_status=notice["status"])
    return {**notice, **changes}


async def expire(context: JobContext) -> None:
    """Job handler: the notice's period ended."""
    changes = {"status": "expired", "expired_at": context.clock.now()}
    await update_guarded(
        context.db[COLLECTION], context.payload["notice_id"], {"status": "published"}, {"$set": changes}
    )


async def in_force(*, db: Database, community_code: str, at: datetime, page: PageParams) -> Page[NoticeRead]:
    """Public: the community's notices in force at `at` (the period is checked within the published ones)."""
    query = {
        "community_code": community_code,
        "status": "published",
        "valid_from": {"$lte": at},
        "valid_until": {"$gt": at},
    }
    return await paginate(db[COLLECTION], query, page, to_read)


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, page: PageParams
) -> Page[NoticeRead]:
    return await paginate(db[COLLECTION], scoped_query(principal, community_code), page, to_read)


def to_read(doc: dict[str, Any]) -> NoticeRead:
    return NoticeRead(id=doc["_id"], **{k: doc.get(k) for k in NoticeRead.model_fields if k != "id"})


JOB = JobKind(EXPIRE, expire, max_attempts=10)
