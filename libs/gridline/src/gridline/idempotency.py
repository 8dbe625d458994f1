"""`Idempotency-Key` on creating POSTs, without a separate store.

The new resource's id is derived from the caller and the key, and the request's fingerprint is stored in
the resource itself. A retry inserts the same id and collides: same fingerprint, we return the first
result; another body, 409. One insert decides, so two concurrent retries cannot both create.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from pydantic import BaseModel

from gridline.auth.principal import Principal
from gridline.errors import Conflict
from gridline.events import dumps
from gridline.mongo import Collection, DuplicateKeyError

_NS = uuid.UUID("2b0b7f0e-8f5e-4b8a-9d57-3f2d86b2c0a4")
FIELD = "_idempotency"


def creation_id(*, principal: Principal, operation: str, key: str | None) -> str:
    if key is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_NS, f"{operation}|{principal.subject}|{key}"))


def fingerprint(body: BaseModel) -> str:
    return hashlib.sha256(dumps(body.model_dump(mode="json"))).hexdigest()


def stamp(document: dict[str, Any], *, key: str | None, body: BaseModel) -> dict[str, Any]:
    if key is None:
        return document
    return {**document, FIELD: {"fingerprint": fingerprint(body)}}


KEY_REUSED = "this Idempotency-Key was already used with a different request body"


def check_replay(existing: dict[str, Any], body: BaseModel) -> None:
    """Raise 409 when a stored resource was created by the same key with a different body."""
    stored = existing.get(FIELD, {}).get("fingerprint")
    if stored != fingerprint(body):
        raise Conflict(KEY_REUSED)


async def insert_once(collection: Collection, document: dict[str, Any], *, body: BaseModel) -> dict[str, Any]:
    """Insert a new aggregate, or return the one a retry of the same request already created.

    A DuplicateKeyError on another unique index (a real duplicate) is re-raised for the caller to name.
    """
    try:
        await collection.insert_one(document)
        return document
    except DuplicateKeyError:
        existing = await collection.find_one({"_id": document["_id"]})
        if existing is None:
            raise
        check_replay(existing, body)
        return existing
