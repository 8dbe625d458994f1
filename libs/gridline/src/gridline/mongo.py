"""The one module that talks to the MongoDB driver.

Services import their database handle and errors from here, so replacing motor with PyMongo's own async
client touches this file alone. Everything here runs on FerretDB 1.24 and MongoDB alike: no sessions,
no transactions, no change streams.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorCollection, AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.errors import (
    AutoReconnect,
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
    "Client",
    "Collection",
    "Database",
    "DuplicateKeyError",
    "Index",
    "PyMongoError",
    "ReturnDocument",
    "UpdateOne",
    "connect",
    "ensure_indexes",
    "is_transient",
    "ping",
]

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
