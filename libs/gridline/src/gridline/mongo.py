"""The one module that talks to the MongoDB driver.

Services import their database handle and errors from here, so replacing motor with PyMongo's own async
client touches this file alone. Everything here runs on FerretDB 1.24 and MongoDB alike: no sessions,
no transactions, no change streams.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorCollection, AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
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
    "BulkWriteError",
    "Client",
    "Collection",
    "Database",
    "DuplicateKeyError",
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
    """True for failures worth retrying: the database was briefly unreachable, not the request wrong."""
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
