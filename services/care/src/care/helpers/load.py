"""A helper's load: the open requests assigned to them, kept on the helper as a list and its length.

Each change names the request, so doing it twice does nothing the second time: the request's own write
and a redelivered request event may both apply it. Each change is one conditional update, which the
database applies atomically.
"""

from __future__ import annotations

from datetime import datetime

from gridline.mongo import Database

from care.helpers.service import COLLECTION


async def take(*, db: Database, helper_id: str, request_id: str, at: datetime) -> None:
    """Count `request_id` against the helper, once."""
    coll = db[COLLECTION]
    await coll.update_one(
        {"_id": helper_id, "open_requests": {"$ne": request_id}},
        {"$push": {"open_requests": request_id}, "$inc": {"load": 1}, "$set": {"last_assigned_at": at}},
    )


async def release(*, db: Database, helper_id: str, request_id: str) -> None:
    """The request is closed or went to someone else: it no longer counts, once."""
    coll = db[COLLECTION]
    await coll.update_one(
        {"_id": helper_id, "open_requests": request_id},
        {"$pull": {"open_requests": request_id}, "$inc": {"load": -1}},
    )
