"""The outbox: events travel inside the aggregate's own document until they are published.

A state change and the events it causes are written by one single-document write (`insert_one` of a new
aggregate, or `update_one` that sets state and pushes events), so no crash can separate them, and no
multi-document transaction is needed. `_outbox_at` marks documents with pending events (indexed, so the
relay reads them by an index range, oldest first). The relay, holding a lease so only one replica
publishes, queues a batch of documents' events in order, waits until the broker has acknowledged all of
them, then empties those outboxes with one update guarded by the ids it published (or, where events were
added meanwhile, pops just the published ones). A crash after a send and before that write
republishes the event: consumers are idempotent by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from gridline.clock import Clock
from gridline.events import Event, EventSpec, derived_id
from gridline.kafka import AIOKafkaProducer
from gridline.leases import Lease
from gridline.loops import Retrying
from gridline.mongo import (
    ASCENDING,
    Collection,
    Database,
    Index,
    read,
    update_guarded,
)
from gridline.telemetry import current_context_headers, publish_batch_span

log = logging.getLogger(__name__)

OUTBOX = "_outbox"
PENDING_SINCE = "_outbox_at"
_EPOCH = datetime(1970, 1, 1).astimezone()


def outbox_indexes(collections: Iterable[str]) -> list[Index]:
    return [Index(c, ((PENDING_SINCE, ASCENDING),), name="outbox_pending") for c in collections]


def make_event(
    spec: EventSpec,
    *,
    source: str,
    key: str,
    data: BaseModel,
    clock: Clock,
    cause: Event | None = None,
    consumer: str = "",
    event_id: str | None = None,
) -> Event:
    """A new event for `spec`. Caused by another event, its id derives from the cause, so retries match."""
    if event_id is None:
        event_id = derived_id(consumer, cause.id, spec.type) if cause else str(uuid.uuid4())
    trace_headers = current_context_headers()
    return Event(
        id=event_id,
        type=spec.type,
        source=source,
        subject=key,
        partitionkey=key,
        time=clock.now(),
        data=data.model_dump(mode="json"),
        topic=spec.topic,
        correlationid=(cause.correlationid or cause.id) if cause else event_id,
        causationid=cause.id if cause else None,
        traceparent=trace_headers.get("traceparent"),
        tracestate=trace_headers.get("tracestate"),
    )


def new_document(document: dict[str, Any], events: Sequence[Event], *, clock: Clock) -> dict[str, Any]:
    """A new aggregate document carrying its first events, for `insert_one`."""
    if not events:
        return document
    return {**document, OUTBOX: [e.to_document() for e in events], PENDING_SINCE: clock.now()}


def with_events(update: dict[str, Any], events: Sequence[Event], *, clock: Clock) -> dict[str, Any]:
    """Add the events to an `update_one` update document, so state and events are written together."""
    if not events:
        return update
    merged = dict(update)
    merged["$push"] = {**update.get("$push", {}), OUTBOX: {"$each": [e.to_document() for e in events]}}
    merged["$min"] = {**update.get("$min", {}), PENDING_SINCE: clock.now()}
    return merged


class OutboxRelay:
    """Publishes pending events from the service's aggregate collections, in order per aggregate."""

    def __init__(
        self,
        *,
        db: Database,
        collections: Sequence[str],
        producer: AIOKafkaProducer,
        lease: Lease,
        clock: Clock,
        topic_prefix: str,
        interval: float,
        batch_size: int = 200,
        linger: float = 0.01,
        on_published: Any = None,
        starts_producer: bool = False,
    ) -> None:
        self._db = db
        self._starts_producer = starts_producer
        self._collections = list(collections)
        self._producer = producer
        self._lease = lease
        self._clock = clock
        self._prefix = topic_prefix
        self._interval = interval
        self._batch = batch_size
        self._linger = linger
        self._wake = asyncio.Event()
        self._written: set[str] = set()
        self._on_published = on_published
        self.last_success: datetime | None = None
        self._retrying = Retrying("outbox relay", log)

    def wake(self, collection: str) -> None:
        """A write to `collection` succeeded: read it in a round now, not at the next interval.

        The service's database client calls this after each of its writes (`mongo.WriteWatcher`), whether a
        request, a consumer or a job made it, so no writer has to remember to.
        """
        if collection in self._collections:
            self._written.add(collection)
            self._wake.set()

    async def run(self) -> None:
        """Rounds over the collections written since the last round, and over all of them each interval.

        Under a steady write load the wakes come faster than rounds can usefully run: a round starts at most
        once per `linger`, so each one takes the writes of that span together.
        """
        if self._starts_producer:
            await self._start_producer()
        due, full_round_at = list(self._collections), time.monotonic()
        while True:
            started = time.monotonic()
            try:
                if await self._lease.acquire():
                    await self.publish_pending(due)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._written.update(due)  # read them again in the next round
                # The broker or the database away: the next round tries again (said once, not every round).
                # Anything else would fail every round while the events behind it wait unseen: it ends the
                # relay, and so the process, for its supervisor to restart and an operator to see.
                await self._retrying.failed(exc)
            else:
                self._retrying.moved()
            await asyncio.sleep(max(0.0, started + self._linger - time.monotonic()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            if time.monotonic() - full_round_at >= self._interval:
                due, full_round_at = list(self._collections), time.monotonic()
            else:
                due = [c for c in self._collections if c in self._written]
            self._written = set()

    async def _start_producer(self) -> None:
        """Connect the producer, for as long as the broker takes to answer."""
        while True:
            try:
                await self._producer.start()
            except Exception as exc:
                await self._retrying.failed(exc)
            else:
                self._retrying.moved()
                return

    async def publish_pending(self, collections: Sequence[str] | None = None) -> int:
        """One round over the given collections (every one by default); returns how many events were published."""
        published = 0
        for name in self._collections if collections is None else collections:
            published += await self._publish_collection(self._db[name])
        return published

    async def _publish_collection(self, coll: Collection) -> int:
        """Publish every pending event of one collection, two batches at a time.

        While one batch is acknowledged by the broker and then cleared from its outboxes, the next is read
        and queued: the database reads one batch while it writes the other. A document of the batch in
        flight is not read again, so its events go out once per round and in order.
        """
        published = 0
        inflight: tuple[_Batch, asyncio.Task[int]] | None = None
        queued: _Batch | None = None
        try:
            # The lease is renewed before every batch, so a long round never outlives it: were it to lapse,
            # another replica's relay would start sending the same events.
            while await self._lease.acquire():
                found = await self._read_batch(coll, exclude=inflight[0].ids if inflight else [])
                if not found:
                    break
                queued = await self._queue(found)
                if inflight is not None:
                    previous, inflight = inflight, None
                    published += await previous[1]
                inflight, queued = (queued, asyncio.create_task(self._finish(coll, queued))), None
                if len(found) < self._batch:
                    break  # that read found everything pending; later writes wake the relay again
            if inflight is not None:
                previous, inflight = inflight, None
                published += await previous[1]
        finally:
            # A failure may leave records queued: let them end (nothing more is cleared; they go out again).
            leftovers: list[asyncio.Future[Any]] = [*queued.deliveries] if queued else []
            if inflight is not None:
                leftovers += [inflight[1], *inflight[0].deliveries]
            await asyncio.gather(*leftovers, return_exceptions=True)
        return published

    async def _read_batch(self, coll: Collection, *, exclude: list[Any]) -> list[dict[str, Any]]:
        """The oldest pending documents, read through the pending-marker index."""
        query: dict[str, Any] = {PENDING_SINCE: {"$gt": _EPOCH}}
        if exclude:
            query["_id"] = {"$nin": exclude}
        cursor = coll.find(query, {OUTBOX: 1}).sort(PENDING_SINCE, ASCENDING).limit(self._batch)
        # Read the whole batch before writing: no cursor stays open across writes to its collection.
        return await read(cursor, self._batch)

    async def _queue(self, found: list[dict[str, Any]]) -> _Batch:
        """Queue every event of the batch for sending, in order."""
        pending = [(doc["_id"], [Event.from_document(e) for e in doc.get(OUTBOX, [])]) for doc in found]
        events = [event for _, of_one in pending for event in of_one]
        with publish_batch_span(events):
            deliveries = [await self._send(event) for event in events]
        return _Batch(pending, deliveries)

    async def _finish(self, coll: Collection, batch: _Batch) -> int:
        """Wait until the broker acknowledged every record of the batch, then empty those outboxes."""
        outcomes = await asyncio.gather(*batch.deliveries, return_exceptions=True)
        failed = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failed is not None:
            raise failed  # nothing is cleared: the next round sends the batch again (consumers deduplicate)
        for _, events in batch.pending:
            for event in events:
                log.debug("published", extra={"event_id": event.id, "event_type": event.type, "topic": event.topic})
                if self._on_published:
                    self._on_published(event)
        await self._remove_published(coll, batch.pending)
        self.last_success = self._clock.now()
        return sum(len(events) for _, events in batch.pending)

    async def _remove_published(self, coll: Collection, pending: list[tuple[Any, list[Event]]]) -> None:
        """Empty the outboxes that still hold exactly what was sent: one update per outbox length, usually one.

        Where events were added to an outbox meanwhile, only the sent ones are popped; its marker stays, so
        the next round sends the rest.
        """
        empty = {"$set": {OUTBOX: []}, "$unset": {PENDING_SINCE: ""}}
        cleared = 0
        for guard in _unchanged_outboxes(pending):
            cleared += (await coll.update_many(guard, empty)).matched_count
        if cleared == len(pending):
            return
        sent = dict(pending)
        still = await read(coll.find({"_id": {"$in": list(sent)}, PENDING_SINCE: {"$exists": True}}, {"_id": 1}), None)
        for doc in still:
            for event in sent[doc["_id"]]:
                await update_guarded(coll, doc["_id"], {f"{OUTBOX}.0.id": event.id}, {"$pop": {OUTBOX: -1}})

    async def _send(self, event: Event) -> asyncio.Future[Any]:
        """Queue one record for sending; the future resolves when the broker has acknowledged it.

        Records of one aggregate share a key and so a partition, and the idempotent producer keeps a
        partition's records in the order they were queued.
        """
        key, value, headers = event.to_record()
        delivery: asyncio.Future[Any] = await self._producer.send(
            self._prefix + event.topic, value=value, key=key, headers=headers
        )
        return delivery


@dataclass
class _Batch:
    """Events queued for sending, with the documents they came from."""

    pending: list[tuple[Any, list[Event]]]
    deliveries: list[asyncio.Future[Any]]

    @property
    def ids(self) -> list[Any]:
        return [doc_id for doc_id, _ in self.pending]


def _unchanged_outboxes(pending: list[tuple[Any, list[Event]]]) -> list[dict[str, Any]]:
    """Filters matching the batch's documents whose outbox still holds exactly the events sent from it.

    Documents are grouped by how many events were sent from each; a group's filter asks for that many
    events and, at each position, one of the ids sent from that position. Only the relay removes events and
    writers only append, and an event id names one event, so an outbox of the right length whose every
    position holds a sent id holds exactly what was sent from it: a write that added events, or another
    relay that emptied the outbox and let new ones in, makes the document fall out of the filter.
    """
    by_length: dict[int, list[tuple[Any, list[Event]]]] = {}
    for doc_id, events in pending:
        by_length.setdefault(len(events), []).append((doc_id, events))
    guards = []
    for length, group in sorted(by_length.items()):
        guard: dict[str, Any] = {"_id": {"$in": [doc_id for doc_id, _ in group]}, OUTBOX: {"$size": length}}
        for position in range(length):
            guard[f"{OUTBOX}.{position}.id"] = {"$in": [events[position].id for _, events in group]}
        guards.append(guard)
    return guards


RELAY_LEASE_TTL = timedelta(seconds=15)
