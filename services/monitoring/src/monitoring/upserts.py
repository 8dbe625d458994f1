"""Upserts by `_id` that hold when two writers create the same document at the same moment."""

from __future__ import annotations

from typing import Any

from gridline.mongo import Collection, DuplicateKeyError


async def upsert_by_id(collection: Collection, document_id: str, update: dict[str, Any]) -> None:
    """Apply `update` to the document, creating it first if needed.

    Two concurrent upserts of a new `_id` can both find nothing and both insert; the loser gets a duplicate
    key error although the document now exists, so the update is simply applied to it.
    """
    try:
        await collection.update_one({"_id": document_id}, update, upsert=True)
    except DuplicateKeyError:
        await collection.update_one({"_id": document_id}, update)
