"""Idempotent, at-least-once consumption with bounded retries and a dead-letter topic.

Per record: read the envelope, pick the route by `ce_type`, validate the payload against the consumer's own
model, run the handler (retrying transient failures with backoff), and only then commit the offset.
A record that can never be handled goes to the service's dead-letter topic with the reason and its source
coordinates, and the partition moves on. Handlers must be idempotent: they derive every id from the event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from gridline import logs
from gridline.clock import Clock
from gridline.events import EnvelopeError, Event, Headers, InboundData, from_record
from gridline.kafka import AIOKafkaProducer, make_consumer
from gridline.loops import Progress, Retrying, outage
from gridline.mongo import Database, is_transient
from gridline.telemetry import process_batch_span, process_span

log = logging.getLogger(__name__)

DEAD_LETTERS = "dead_letters"


class PoisonMessage(Exception):
    """Raised by a handler for an event that will never succeed, however often it is retried."""


@dataclass(frozen=True)
class HandlerContext:
    db: Database
    clock: Clock
    group: str
    source: str
    settings: Any


Handler = Callable[[HandlerContext, Event, Any], Awaitable[None]]
BatchHandler = Callable[[HandlerContext, list[tuple[Event, Any]]], Awaitable[None]]
InboundModel = type[InboundData]


@dataclass(frozen=True)
class Route:
    """One consumed event type, the consumer's own tolerant model of its payload, and the handler.

    A high-volume route may also give `handle_many`: consecutive records of the route in one partition's
    poll are then handled together (one database write for many events). It must have the same effect as
    `handle` on each event, idempotently; if it keeps failing, the records go one by one through `handle`,
    so a poison record is still dead-lettered alone.
    """

    topic: str
    type: str
    model: InboundModel
    handle: Handler
    handle_many: BatchHandler | None = None


@dataclass(frozen=True)
class Prepared:
    """A record read as an event of a route, its payload validated, ready for its handler."""

    record: ConsumerRecord[bytes, bytes]
    route: Route
    event: Event
    data: Any


@dataclass(frozen=True)
class Subscription:
    """A consumer group of one service (named after the service and purpose) and the routes it serves."""

    purpose: str
    routes: Sequence[Route]
    # Records with different keys have independent effects: a partition's poll is then handled as one lane
    # per key, side by side, each lane in order (what a keyed stream promises is order per key).
    by_key: bool = False

    def topics(self) -> list[str]:
        return sorted({r.topic for r in self.routes})


@dataclass
class RetryPolicy:
    max_attempts: int = 4
    backoff_seconds: float = 0.2


@dataclass
class ConsumerStats:
    handled: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    last_poll: datetime | None = None
    failing_since: datetime | None = None
    errors: list[str] = field(default_factory=list)


class ConsumerRunner:
    def __init__(
        self,
        *,
        service: str,
        subscription: Subscription,
        bootstrap: str,
        topic_prefix: str,
        dead_letter_topic: str,
        producer: AIOKafkaProducer,
        context: HandlerContext,
        retry: RetryPolicy,
    ) -> None:
        # The prefix that keeps topics apart keeps groups apart too (empty in production).
        self.group = f"{topic_prefix}{service}.{subscription.purpose}"
        self._by_key = subscription.by_key
        self._routes = {r.type: r for r in subscription.routes}
        self._topics = [topic_prefix + t for t in subscription.topics()]
        self._prefix = topic_prefix
        self._bootstrap = bootstrap
        self._dlq = dead_letter_topic
        self._producer = producer
        self._ctx = context
        self._retry = retry
        self.stats = ConsumerStats()
        self.started = asyncio.Event()
        # Reaching the broker, and making progress through the records: each says once that it stopped.
        self._connected = Retrying(f"consumer {self.group}", log)
        self._progress = Progress(f"consumer {self.group}", log)

    async def run(self) -> None:
        """Consume for good: a broker that is away at the start, or goes away later, is waited for."""
        while True:
            consumer = make_consumer(self._bootstrap, topics=self._topics, group=self.group, client_id=self.group)
            try:
                await consumer.start()
                self.started.set()
                await self._consume(consumer)
            except Exception as exc:
                await self._connected.failed(exc)  # an error that is no outage ends the loop, and the process
            finally:
                await consumer.stop()

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            self._connected.moved()  # said once a poll got through, not merely on connecting
            self.stats.last_poll = self._ctx.clock.now()
            if not batches:
                continue
            # Partitions are independent streams (one aggregate's events share one), as they would be on
            # separate replicas: handle them side by side, each in its own order.
            handled = await asyncio.gather(*(self._process_partition(consumer, tp, r) for tp, r in batches.items()))
            offsets = {tp: offset for tp, offset in zip(batches, handled, strict=True) if offset is not None}
            if offsets:
                await self._commit(consumer, offsets)

    async def _process_partition(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]
    ) -> int | None:
        """Handle records in order; returns the offset to commit (after the last one handled), or None."""
        if self._by_key:
            return await self._process_lanes(consumer, tp, records)
        handled: int | None = None
        group: list[Prepared] = []
        try:
            for record in records:
                prepared = await self.prepare(record)
                if group and (prepared is None or prepared.route is not group[0].route):
                    await self._handle_group(group)
                    handled, group = group[-1].record.offset + 1, []
                if prepared is not None and prepared.route.handle_many is not None:
                    group.append(prepared)
                    continue
                if prepared is not None:
                    await self._handle_one(prepared)
                handled = record.offset + 1
            if group:
                await self._handle_group(group)
                handled = group[-1].record.offset + 1
        except Exception as exc:
            await self._stall(consumer, tp, handled if handled is not None else records[0].offset, exc)
            return handled
        self._progressed()
        return handled

    async def _process_lanes(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]
    ) -> int:
        """Handle each key's records in order, the keys side by side; returns the offset to commit.

        If a lane fails, every record before its failed one has been handled, in every lane: the earliest
        failure is where the partition resumes (records after it that other lanes handled come again, and
        their idempotent handlers absorb them).
        """
        lanes: dict[bytes | None, list[ConsumerRecord[bytes, bytes]]] = {}
        for record in records:
            lanes.setdefault(record.key, []).append(record)

        async def lane(own: list[ConsumerRecord[bytes, bytes]]) -> tuple[int, Exception] | None:
            for record in own:
                try:
                    await self.process(record)
                except Exception as exc:
                    return record.offset, exc
            return None

        failures = [f for f in await asyncio.gather(*(lane(own) for own in lanes.values())) if f is not None]
        if not failures:
            self._progressed()
            after_last: int = records[-1].offset + 1
            return after_last
        resume, exc = min(failures, key=lambda failure: failure[0])
        await self._stall(consumer, tp, resume, exc)
        return resume

    def _progressed(self) -> None:
        self.stats.failing_since = None
        self._progress.moved()

    async def _stall(self, consumer: AIOKafkaConsumer, tp: TopicPartition, resume: int, exc: Exception) -> None:
        """Our own infrastructure failed (database or broker), not the message: go back to the first record
        not handled and try again after a pause. Liveness reports us if this lasts."""
        self.stats.failing_since = self.stats.failing_since or self._ctx.clock.now()
        self._progress.failed(exc)
        # A rebalance may have taken the partition away: its next owner resumes from the committed offset.
        with contextlib.suppress(IllegalStateError):
            consumer.seek(tp, resume)
        await asyncio.sleep(min(self._retry.backoff_seconds * 10, 5.0))

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        """Commit after the effects (and dead letters) of these records are stored, never before."""
        try:
            await consumer.commit(offsets)
        except Exception as exc:
            # The effects are stored; a lost commit only means these records come again, which handlers absorb.
            self._progress.failed(exc)

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Handle one record (or dead-letter it); used by replays and tests."""
        prepared = await self.prepare(record)
        if prepared is not None:
            await self._handle_one(prepared)

    async def prepare(self, record: ConsumerRecord[bytes, bytes]) -> Prepared | None:
        """The record as an event of one of our routes; None when it is skipped or was dead-lettered."""
        headers: Headers = list(record.headers or [])
        try:
            event = from_record(record.topic, record.key, record.value, headers)
        except EnvelopeError as exc:
            await self.dead_letter(record, f"envelope: {exc}")
            return None
        route = self._routes.get(event.type)
        if route is None:
            self.stats.skipped += 1  # a type this consumer does not need: tolerated, not an error
            return None
        event = Event(**{**event.__dict__, "topic": record.topic.removeprefix(self._prefix)})
        try:
            data = route.model.model_validate(event.data)
        except ValidationError as exc:
            await self.dead_letter(record, f"schema: {_validation_summary(exc)}", event)
            return None
        return Prepared(record, route, event, data)

    async def _handle_one(self, prepared: Prepared) -> None:
        with process_span(prepared.event, self.group):
            reason = await self._handle_with_retries(prepared.route, prepared.event, prepared.data)
        if reason:
            await self.dead_letter(prepared.record, reason, prepared.event)
        else:
            self.stats.handled += 1
            log.debug(
                "handled", extra={"event_id": prepared.event.id, "event_type": prepared.event.type, "group": self.group}
            )

    async def _handle_group(self, group: list[Prepared]) -> None:
        """Handle consecutive records of one batch route together; one by one if the batch keeps failing."""
        handle_many = group[0].route.handle_many
        if handle_many is None:
            raise TypeError("a group is made only of records of a batch route")
        for attempt in range(1, self._retry.max_attempts + 1):
            try:
                with process_batch_span([p.event for p in group], self.group):
                    await handle_many(self._ctx, [(p.event, p.data) for p in group])
                self.stats.handled += len(group)
                return
            except Exception as exc:
                if attempt == self._retry.max_attempts:
                    if is_transient(exc):
                        raise
                    break
                await asyncio.sleep(self._retry.backoff_seconds * 2 ** (attempt - 1))
        for prepared in group:
            await self._handle_one(prepared)

    async def _handle_with_retries(self, route: Route, event: Event, data: Any) -> str | None:
        """Run the handler; None when it succeeded, else why it is a dead letter."""
        extra = {"event_id": event.id, "event_type": event.type, "group": self.group}
        for attempt in range(1, self._retry.max_attempts + 1):
            try:
                await route.handle(self._ctx, event, data)
                return None
            except PoisonMessage as exc:
                return f"poison: {logs.error_text(exc)}"
            except Exception as exc:
                if attempt == self._retry.max_attempts:
                    if is_transient(exc):
                        raise  # the database is down, not the message bad: go back and retry it, never dead-letter
                    return f"failed after {attempt} attempts: {logs.error_text(exc)}"
                if not is_transient(exc):  # an outage is reported once by the partition loop, not per retry
                    log.warning("handler failed, retrying", extra=extra, exc_info=exc)
                await asyncio.sleep(self._retry.backoff_seconds * 2 ** (attempt - 1))
        return None

    async def dead_letter(self, record: ConsumerRecord[bytes, bytes], reason: str, event: Event | None = None) -> None:
        """Publish the original record with the reason and its source coordinates, then keep a copy."""
        headers: Headers = [
            *(record.headers or []),
            ("dlq_reason", reason.encode()),
            ("dlq_source_topic", record.topic.encode()),
            ("dlq_source_partition", str(record.partition).encode()),
            ("dlq_source_offset", str(record.offset).encode()),
            ("dlq_group", self.group.encode()),
        ]
        await self._publish_until_sent(record, headers)
        await self._ctx.db[DEAD_LETTERS].update_one(
            {"_id": f"{self.group}:{record.topic}:{record.partition}:{record.offset}"},
            {"$setOnInsert": _dead_letter_document(self.group, record, reason, event, self._ctx.clock)},
            upsert=True,
        )
        self.stats.dead_lettered += 1
        log.error(
            "dead-lettered a record: %s",
            reason[:200],
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "group": self.group,
                "event_id": event.id if event else None,
            },
        )

    async def _publish_until_sent(self, record: ConsumerRecord[bytes, bytes], headers: Headers) -> None:
        # The offset must not be committed before the dead letter is safely on Kafka; while Kafka is
        # unreachable we wait here, and liveness reports this consumer as stalled.
        delay = self._retry.backoff_seconds
        while True:
            try:
                await self._producer.send_and_wait(self._dlq, value=record.value, key=record.key, headers=headers)
                return
            except Exception as exc:
                if not outage(exc):
                    raise
                self._progress.failed(exc)
                # Waiting on the broker, not hung: liveness goes by the polls, and this stands for one.
                self.stats.last_poll = self._ctx.clock.now()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    def find_route(self, event_type: str) -> Route | None:
        return self._routes.get(event_type)

    async def replay(self, letter: dict[str, Any]) -> None:
        """Run a stored dead letter through its handler again (after the cause was fixed)."""
        event = from_record(letter["topic"], letter.get("key"), letter.get("value"), _headers(letter))
        event = Event(**{**event.__dict__, "topic": letter["topic"].removeprefix(self._prefix)})
        route = self._routes.get(event.type)
        if route is None:
            raise PoisonMessage(f"no route for {event.type}")
        data = route.model.model_validate(event.data)
        with process_span(event, self.group):
            await route.handle(self._ctx, event, data)


def _validation_summary(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
    return "; ".join(parts)[:400]


def _headers(letter: dict[str, Any]) -> Headers:
    return [(h["name"], bytes(h["value"])) for h in letter.get("headers", [])]


def _dead_letter_document(
    group: str, record: ConsumerRecord[bytes, bytes], reason: str, event: Event | None, clock: Clock
) -> dict[str, Any]:
    return {
        "group": group,
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "key": record.key,
        "value": record.value,
        # FerretDB stores no nested arrays, so each header is a small document.
        "headers": [{"name": k, "value": v} for k, v in (record.headers or [])],
        "event_id": event.id if event else None,
        "event_type": event.type if event else None,
        "reason": reason,
        "failed_at": clock.now(),
        "status": "dead",
    }
