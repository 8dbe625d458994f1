"""The one module that talks to the MongoDB driver.

Services import their database handle and errors from here, so replacing motor with PyMongo's own async
client touches this file alone. Everything here runs on FerretDB 1.24 and MongoDB alike: no sessions,
no transactions, no change streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorCollection, AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WriteConcernError,
)

if TYPE_CHECKING:
    Client = AsyncIOMotorClient[dict[str, Any]]
    Database = AsyncIOMotorDatabase[dict[str, Any]]
    Collection = AsyncIOMotorCollection[dict[str, Any]]
else:
    Client = AsyncIOMotorClient
    Database = AsyncIOMotorDatabase
    Collection = AsyncIOMotorCollection

__all__ = [
    "ASCENDING",
    "DESCENDING",
    "MAX_UPDATES_PER_COMMAND",
    "AutoReconnect",
    "BulkWriteError",
    "Client",
    "Collection",
    "Database",
    "DuplicateKeyError",
    "GuardedUpdate",
    "Index",
    "PyMongoError",
    "ReturnDocument",
    "UpdateOne",
    "connect",
    "document_lock",
    "ensure_indexes",
    "is_transient",
    "ping",
    "read",
    "update_each_guarded",
    "update_guarded",
]

# FerretDB 1.24 keeps every update's query open until a whole update command finishes, and its SQLite
# pool has 100 connections: a bulk write of more updates than that deadlocks the server. Stay well under.
MAX_UPDATES_PER_COMMAND = 50

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    AutoReconnect,
    ConnectionFailure,
    NetworkTimeout,
    ServerSelectionTimeoutError,
    ExecutionTimeout,
    WriteConcernError,
)


@dataclass(frozen=True)
class Index:
    """An index a service needs, created at start-up (idempotently)."""

    collection: str
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    name: str | None = None


def connect(url: str, *, timeout_ms: int = 5000) -> Client:
    """Writes acknowledged by the majority and journaled: an accepted write survives a crash."""
    return AsyncIOMotorClient(
        url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        tz_aware=True,
        w="majority",
        journal=True,
        uuidRepresentation="standard",
    )


async def ensure_indexes(db: Database, indexes: list[Index]) -> None:
    # One createIndexes per index: FerretDB 1.24 panics on a batch naming several indexes that exist.
    for index in indexes:
        options: dict[str, Any] = {"unique": index.unique}
        if index.name:
            options["name"] = index.name
        await db[index.collection].create_indexes([IndexModel(list(index.keys), **options)])


async def ping(db: Database) -> None:
    await db.command("ping")


def is_transient(exc: BaseException) -> bool:
    """True for failures worth retrying: the database was briefly unreachable or busy, not the request wrong."""
    if isinstance(exc, OperationFailure) and "SQLITE_BUSY" in str(exc):
        return True  # FerretDB's SQLite storage refusing a write while another commits
    return isinstance(exc, TRANSIENT_ERRORS)


_document_locks: weakref.WeakValueDictionary[tuple[str, Any], asyncio.Lock] = weakref.WeakValueDictionary()


def document_lock(collection: Collection, document_id: Any) -> asyncio.Lock:
    """One writer at a time per document within this process.

    FerretDB 1.24 performs an update as a read followed by a whole-document write, so two concurrent
    writers to one document can lose a write (MongoDB applies each update atomically). Every writer of an
    aggregate that carries an outbox (the request or job changing it, the relay popping its events) takes
    this lock, which makes a single replica per service safe on FerretDB as well.
    """
    key = (f"{collection.database.name}.{collection.name}", document_id)
    lock = _document_locks.get(key)
    if lock is None:
        lock = _document_locks[key] = asyncio.Lock()
    return lock


async def read(cursor: Any, length: int | None) -> list[dict[str, Any]]:
    """Up to `length` documents, then close the cursor.

    A cursor left open once `length` documents arrived stays open on the server; FerretDB keeps its SQLite
    rows, and so one pooled connection, until the cursor times out, and enough of them exhaust the pool.
    """
    try:
        documents: list[dict[str, Any]] = await cursor.to_list(length)
        return documents
    finally:
        await cursor.close()


@dataclass(frozen=True)
class GuardedUpdate:
    """`update` applied to document `id` only while every `guard` path still holds its value."""

    id: Any
    guard: Mapping[str, Any]
    update: Mapping[str, Any]


async def update_guarded(collection: Collection, document_id: Any, guard: Mapping[str, Any], update: Any) -> bool:
    """Apply `update` to one document if `guard` still holds; True if it did. Takes the document's lock."""
    return await update_each_guarded(collection, [GuardedUpdate(document_id, guard, update)]) == 1


async def update_each_guarded(collection: Collection, changes: Sequence[GuardedUpdate]) -> int:
    """Apply each change whose guard still holds, under the documents' locks; returns how many were applied.

    On MongoDB the guard is part of the filter, served by the `_id` index. FerretDB 1.24 passes only a bare
    `_id` equality to its storage and reads and parses the whole collection for any other filter, which
    made each guarded write cost as much as a full scan. There the guard is checked here instead, against
    the document read by `_id` under the lock every writer of the document takes, and the write filters on
    `_id` alone: the same outcome for the single replica FerretDB serves.
    """
    for change in changes:
        _check_supported(change.guard)
    applied = 0
    for start in range(0, len(changes), MAX_UPDATES_PER_COMMAND):
        chunk = changes[start : start + MAX_UPDATES_PER_COMMAND]
        async with contextlib.AsyncExitStack() as held:
            for document_id in sorted({c.id for c in chunk}):  # one order for all writers: no deadlock
                await held.enter_async_context(document_lock(collection, document_id))
            applied += await _apply(collection, chunk)
    return applied


async def _apply(collection: Collection, chunk: Sequence[GuardedUpdate]) -> int:
    if await _filters_scan(cast("Client", collection.database.client)):
        ids = [c.id for c in chunk]
        fields = {path.split(".")[0]: 1 for c in chunk for path in c.guard} or {"_id": 1}
        found = await read(collection.find({"_id": ids[0] if len(ids) == 1 else {"$in": ids}}, fields), None)
        current = {d["_id"]: d for d in found}
        chunk = [c for c in chunk if c.id in current and _holds(c.guard, current[c.id])]
        writes = [UpdateOne({"_id": c.id}, dict(c.update)) for c in chunk]
    else:
        writes = [UpdateOne({"_id": c.id, **c.guard}, dict(c.update)) for c in chunk]
    if not writes:
        return 0
    result = await collection.bulk_write(writes, ordered=True)
    return int(result.matched_count)


async def _filters_scan(client: Client) -> bool:
    """True on FerretDB 1.x, whose storage sees no filter but a bare `_id` equality. Asked once per client."""
    known: bool | None = getattr(client, "_gridline_filters_scan", None)
    if known is None:
        info = await client.admin.command("buildInfo")
        known = "ferretdbVersion" in info
        setattr(client, "_gridline_filters_scan", known)  # noqa: B010 (motor reads unknown attributes as databases)
    return known


_MISSING = object()


def _check_supported(guard: Mapping[str, Any]) -> None:
    """Refuse, on every server alike, a guard that `_holds` could not check the way MongoDB would."""
    for path, expected in guard.items():
        if (
            isinstance(expected, Mapping)
            and set(expected) != {"$exists"}
            and any(str(k).startswith("$") for k in expected)
        ):
            raise ValueError(f"guard operator not supported: {path}: {dict(expected)}")


def _holds(guard: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    """Whether `document` matches `guard` the way the same filter would on MongoDB.

    Supports what guards need: a literal per dotted path (array positions as numbers; `None` also matches
    a missing field), or `{"$exists": bool}`.
    """
    for path, expected in guard.items():
        actual = _value_at(document, path)
        if isinstance(expected, Mapping) and set(expected) == {"$exists"}:
            if (actual is not _MISSING) != bool(expected["$exists"]):
                return False
        elif expected is None:
            if actual is not None and actual is not _MISSING:
                return False
        elif actual is _MISSING or actual != expected:
            return False
    return True


def _value_at(document: Any, path: str) -> Any:
    value = document
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else _MISSING
        elif isinstance(value, Mapping):
            value = value.get(part, _MISSING)
        else:
            return _MISSING
    return value
