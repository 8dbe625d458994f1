"""The one module that talks to the MongoDB driver.

Services import their database handle and errors from here; the driver is PyMongo's own asyncio client
(motor, which ran the synchronous driver in a small thread pool, is deprecated upstream and queued every
request's database calls behind a handful of threads). Everything here runs on FerretDB 1.24 and MongoDB
alike: no sessions, no transactions, no change streams.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, IndexModel, ReturnDocument, UpdateOne, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
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
    Client = AsyncMongoClient[dict[str, Any]]
    Database = AsyncDatabase[dict[str, Any]]
    Collection = AsyncCollection[dict[str, Any]]
else:
    Client = AsyncMongoClient
    Database = AsyncDatabase
    Collection = AsyncCollection

__all__ = [
    "ASCENDING",
    "DESCENDING",
    "MAX_UPDATES_PER_COMMAND",
    "AutoReconnect",
    "BulkWriteError",
    "Client",
    "Collection",
    "CommandLog",
    "Database",
    "DuplicateKeyError",
    "GuardedUpdate",
    "Index",
    "PyMongoError",
    "ReturnDocument",
    "UpdateOne",
    "connect",
    "count_commands",
    "ensure_indexes",
    "is_transient",
    "ping",
    "read",
    "record_commands",
    "update_each_guarded",
    "update_guarded",
]

# Updates sent in one bulk write: large enough to save round trips, small enough to keep a command short.
MAX_UPDATES_PER_COMMAND = 200

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


class _Database(AsyncDatabase[dict[str, Any]]):
    """Hands out one collection object per name: building one anew for every `db["plans"]` (codec options,
    read and write concerns, name checks) took a twentieth of a check-in's time in the service."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], name: str) -> None:
        super().__init__(client, name)
        self._collections: dict[str, Collection] = {}

    def __getitem__(self, name: str) -> Collection:
        found = self._collections.get(name)
        if found is None:
            found = self._collections[name] = AsyncCollection(self, name)
        return found


class _Client(AsyncMongoClient[dict[str, Any]]):
    def __getitem__(self, name: str) -> Database:
        return _Database(self, name)


def connect(url: str, *, timeout_ms: int = 5000, watcher: WriteWatcher | None = None) -> Client:
    """Writes acknowledged by the majority and journaled: an accepted write survives a crash."""
    return _Client(
        url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        tz_aware=True,
        w="majority",
        journal=True,
        uuidRepresentation="standard",
        event_listeners=[watcher] if watcher else [],
    )


class WriteWatcher(monitoring.CommandListener):
    """Calls `notify(collection)` when a write to a collection has succeeded (how the relay learns of them)."""

    WRITES = frozenset({"insert", "update", "findandmodify"})

    def __init__(self) -> None:
        self.notify: Callable[[str], None] | None = None
        self._sent: dict[int, str] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.notify is not None and event.command_name.lower() in self.WRITES:
            collection = event.command.get(event.command_name)
            if isinstance(collection, str):
                self._sent[event.request_id] = collection

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        collection = self._sent.pop(event.request_id, None)
        if collection is not None and self.notify is not None:
            self.notify(collection)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._sent.pop(event.request_id, None)


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


DUPLICATE_KEY = 11000  # the server's code for a unique key already taken


async def insert_new(collection: Collection, documents: Sequence[dict[str, Any]]) -> list[int]:
    """Insert every document whose `_id` is not taken, in one command; returns the positions refused as
    duplicates (inserted before, by a redelivery or another writer). Any other failure raises."""
    if not documents:
        return []
    try:
        await collection.insert_many(list(documents), ordered=False)
    except BulkWriteError as exc:
        failures = exc.details.get("writeErrors", [])
        if exc.details.get("writeConcernErrors") or any(f.get("code") != DUPLICATE_KEY for f in failures):
            raise
        return [int(f["index"]) for f in failures]
    return []


@dataclass(frozen=True)
class GuardedUpdate:
    """`update` applied to document `id` only while every `guard` path still holds its value."""

    id: Any
    guard: Mapping[str, Any]
    update: Mapping[str, Any]


async def update_guarded(collection: Collection, document_id: Any, guard: Mapping[str, Any], update: Any) -> bool:
    """Apply `update` to one document if `guard` still holds; True if it did.

    The guard is part of the filter, so the server checks it and writes in one atomic step: MongoDB per
    document, and the local FerretDB build by holding the collection from its read to its write (see
    deploy/ferretdb). Two writers under the same guard never both apply.
    """
    result = await collection.update_one({"_id": document_id, **guard}, dict(update))
    return int(result.matched_count) == 1


async def update_each_guarded(collection: Collection, changes: Sequence[GuardedUpdate]) -> int:
    """Apply each change whose guard still holds; returns how many were applied."""
    applied = 0
    for start in range(0, len(changes), MAX_UPDATES_PER_COMMAND):
        chunk = changes[start : start + MAX_UPDATES_PER_COMMAND]
        writes = [UpdateOne({"_id": c.id, **c.guard}, dict(c.update)) for c in chunk]
        result = await collection.bulk_write(writes, ordered=True)
        applied += int(result.matched_count)
    return applied


class CommandLog(monitoring.CommandListener):
    """Every command clients created after `record_commands()` send, for tests that inspect query shapes."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, dict[str, Any]]] = []
        self.recording = True

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.recording:
            self.commands.append((event.database_name, dict(event.command)))

    def stop(self) -> None:
        """Stop recording (pymongo keeps a registered listener for the life of the process)."""
        self.recording = False

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def record_commands() -> CommandLog:
    log = CommandLog()
    monitoring.register(log)
    return log


_COUNTING: contextvars.ContextVar[bool] = contextvars.ContextVar("counting_commands", default=False)


class CommandWaits(monitoring.CommandListener):
    """The commands sent by code run inside `counting()` (and the tasks it starts), and the waits they cost:
    commands sent while another of them is in flight share one wait. For benches that count round trips."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.waits = 0
        self._in_flight = 0

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        token = _COUNTING.set(True)
        try:
            yield
        finally:
            _COUNTING.reset(token)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if _COUNTING.get():
            self.commands.append(f"{event.command_name} {event.command.get(event.command_name)}")
            self.waits += self._in_flight == 0
            self._in_flight += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._ended()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._ended()

    def _ended(self) -> None:
        if _COUNTING.get():
            self._in_flight -= 1


def count_commands() -> CommandWaits:
    """Count the commands of `counting()` blocks in clients created from now on."""
    waits = CommandWaits()
    monitoring.register(waits)
    return waits
