"""The outbox: events travel inside the aggregate's own document until they are published.

A state change and the events it causes are written by one single-document write (`insert_one` of a new
aggregate, or `update_one` that sets state and pushes events), so no crash can separate them, and no
multi-document transaction is needed. `_outbox_at` marks documents with pending events (indexed, so the
relay never scans a whole collection). The relay, holding a lease so only one replica publishes, sends each
document's events in order, then empties its outbox in one write guarded by the ids it published (or, if
events were added meanwhile, pops just the published ones). A crash after a send and before that write
republishes the event: consumers are idempotent by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from gridline.clock import Clock
from gridline.events import Event, EventSpec, derived_id
from gridline.kafka import AIOKafkaProducer
from gridline.leases import Lease
from gridline.mongo import ASCENDING, Collection, Database, Index, is_transient, read, update_guarded
from gridline.telemetry import current_context_headers, headers_with_trace, publish_span

log = logging.getLogger(__name__)

OUTBOX = "_outbox"
PENDING_SINCE = "_outbox_at"
_EPOCH = datetime(1970, 1, 1).astimezone()
ROUND_SPACING = 4


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
        on_published: Any = None,
    ) -> None:
        self._db = db
        self._collections = list(collections)
        self._producer = producer
        self._lease = lease
        self._clock = clock
        self._prefix = topic_prefix
        self._interval = interval
        self._batch = batch_size
        self._wake = asyncio.Event()
        self._on_published = on_published
        self.last_success: datetime | None = None
        self._finding = 0.0  # seconds spent this round looking for pending documents

    def wake(self) -> None:
        """Ask for a publish round now instead of at the next interval (after a write, for low latency)."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._finding, published = 0.0, 0
            try:
                if await self._lease.acquire():
                    while (sent := await self.publish_pending()) > 0:
                        published += sent
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("outbox relay round failed; retrying next round")
                else:
                    log.warning("outbox relay round: database busy or unreachable, retrying: %s", exc)
            if not published:
                # Found nothing, and finding is slow where FerretDB scans whole collections for it: rest in
                # proportion, so that an idle relay takes at most a fifth of the database's time.
                await asyncio.sleep(max(0.0, ROUND_SPACING * self._finding - self._interval))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()

    async def publish_pending(self) -> int:
        """One round over every collection; returns how many events were published."""
        published = 0
        for name in self._collections:
            cursor = (
                self._db[name]
                .find({PENDING_SINCE: {"$gt": _EPOCH}}, {OUTBOX: 1})
                .sort(PENDING_SINCE, ASCENDING)
                .limit(self._batch)
            )
            # Read the whole batch before writing: FerretDB can stall when a cursor stays open across writes
            # to the collection it reads.
            started = time.monotonic()
            found = await read(cursor, self._batch)
            self._finding += time.monotonic() - started
            for doc in found:
                published += await self._publish_document(name, doc)
        return published

    async def _publish_document(self, collection: str, doc: dict[str, Any]) -> int:
        events = [Event.from_document(e) for e in doc.get(OUTBOX, [])]
        for event in events:
            await self._send(event)
            log.debug("published", extra={"event_id": event.id, "event_type": event.type, "topic": event.topic})
            if self._on_published:
                self._on_published(event)
        await self._remove_published(self._db[collection], doc["_id"], events)
        self.last_success = self._clock.now()
        return len(events)

    async def _remove_published(self, coll: Collection, doc_id: Any, events: list[Event]) -> None:
        """One write in the usual case: the outbox still holds exactly what was sent, so empty it."""
        exactly_these: dict[str, Any] = {f"{OUTBOX}.{i}.id": e.id for i, e in enumerate(events)}
        exactly_these[f"{OUTBOX}.{len(events)}"] = {"$exists": False}
        if await update_guarded(coll, doc_id, exactly_these, {"$set": {OUTBOX: []}, "$unset": {PENDING_SINCE: ""}}):
            return
        # Events were added meanwhile: pop only the sent ones; the marker stays, so the next round sends the rest.
        for event in events:
            await update_guarded(coll, doc_id, {f"{OUTBOX}.0.id": event.id}, {"$pop": {OUTBOX: -1}})

    async def _send(self, event: Event) -> None:
        topic = self._prefix + event.topic
        key, value, headers = event.to_record()
        with publish_span(event, topic) as trace_headers:
            await self._producer.send_and_wait(
                topic, value=value, key=key, headers=headers_with_trace(headers, trace_headers)
            )


RELAY_LEASE_TTL = timedelta(seconds=15)
