"""Event pipeline throughput on the real Kafka and FerretDB: ours next to bare aiokafka, in the same run.

Relay: N aggregates each hold one pending event in their outbox; the outbox relay publishes them all and
empties the outboxes. Beside it, a bare AIOKafkaProducer with the same guarantees (idempotent, acks=all)
sends the same N records and waits for every acknowledgement.

Consumer: N events on a topic; our consumer group reads them (CloudEvents envelope, schema validation,
tracing span, an idempotent effect: a document whose id derives from the event id, offsets committed
after the effect), once with a per-event handler and once with a batch handler. Beside it, a bare
aiokafka consume loop committing after each poll, with no effect, and the same loop doing the same batch
effect with the raw driver.

Rounds alternate ours and raw so that load from elsewhere on the machine falls on both.

  uv run python bench/pipeline.py --events 20000 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from aiokafka import AIOKafkaConsumer
from gridline import mongo
from gridline.clock import SystemClock
from gridline.consumer import ConsumerRunner, HandlerContext, RetryPolicy, Route, Subscription
from gridline.events import Event, EventData, EventSpec, InboundData, derived_id, event_type, from_record
from gridline.kafka import make_producer
from gridline.leases import Lease
from gridline.outbox import (
    OUTBOX,
    PENDING_SINCE,
    OutboxRelay,
    make_event,
    new_document,
    outbox_indexes,
)
from gridline.testing import Sandbox, Secrets, Servers, servers_for_tests, stop_servers
from profiling import profiled

TOPIC = "monitoring.checkin.v1"  # a declared topic with 6 partitions, as a busy stream has


class Tick(EventData):
    n: int
    community_code: str


class TickIn(InboundData):
    n: int


SPEC = EventSpec(TOPIC, event_type("bench", "tick", "happened"), Tick)


def ticks(count: int) -> list[Event]:
    clock = SystemClock()
    community = "330106001001"
    return [
        make_event(SPEC, source="/bench", key=str(uuid.uuid4()), data=Tick(n=n, community_code=community), clock=clock)
        for n in range(count)
    ]


async def relay_rate(sandbox: Sandbox, events: list[Event], profile: str | None = None) -> float:
    db, clock = sandbox.database(f"relay{uuid.uuid4().hex[:6]}"), SystemClock()
    await mongo.ensure_indexes(db, outbox_indexes(["aggregates"]))
    docs = [new_document({"_id": e.partitionkey, "n": i}, [e], clock=clock) for i, e in enumerate(events)]
    for start in range(0, len(docs), 1000):
        await db.aggregates.insert_many(docs[start : start + 1000])
    producer = make_producer(sandbox.servers.kafka, client_id="bench-relay")
    await producer.start()
    relay = OutboxRelay(
        db=db,
        collections=["aggregates"],
        producer=producer,
        lease=Lease(db=db, name="relay", holder="bench", clock=clock, ttl=timedelta(seconds=60)),
        clock=clock,
        topic_prefix=sandbox.prefix,
        interval=0.1,
    )
    window = profiled(profile, {"bench": os.getpid()}, seconds=3) if profile else contextlib.nullcontext()
    try:
        started = time.perf_counter()
        published = 0
        with window:
            while (sent := await relay.publish_pending()) > 0:
                published += sent
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
    assert published == len(events), (published, len(events))
    assert await db.aggregates.count_documents({"_outbox_at": {"$exists": True}}) == 0
    return len(events) / elapsed


async def raw_database_floor(sandbox: Sandbox, events: list[Event]) -> float:
    """The relay's database work alone, with the raw driver: read pending documents, empty their outboxes.

    The same documents, query and guarded update as the relay, but nothing sent: the floor the
    database sets for any relay that keeps events inside their aggregates.
    """
    db, clock = sandbox.database(f"floor{uuid.uuid4().hex[:6]}"), SystemClock()
    await mongo.ensure_indexes(db, outbox_indexes(["aggregates"]))
    docs = [new_document({"_id": e.partitionkey, "n": i}, [e], clock=clock) for i, e in enumerate(events)]
    for start in range(0, len(docs), 1000):
        await db.aggregates.insert_many(docs[start : start + 1000])
    started = time.perf_counter()
    emptied = await empty_outboxes_raw(db.aggregates)
    assert emptied == len(events), (emptied, len(events))
    return len(events) / (time.perf_counter() - started)


async def empty_outboxes_raw(collection: Any, batch: int = 200) -> int:
    """What the relay asks of the database, with the raw driver and nothing sent: read the oldest pending
    documents through the marker index, a batch at a time, and empty their outboxes with one guarded update
    per outbox length. Returns how many documents were emptied."""
    pending = {PENDING_SINCE: {"$gt": datetime(1970, 1, 2, tzinfo=UTC)}}
    clear = {"$set": {OUTBOX: []}, "$unset": {PENDING_SINCE: ""}}
    emptied = 0
    while found := await mongo.read(collection.find(pending, {OUTBOX: 1}).sort(PENDING_SINCE, 1).limit(batch), batch):
        by_length: dict[int, list[dict[str, Any]]] = {}
        for document in found:
            by_length.setdefault(len(document[OUTBOX]), []).append(document)
        for length, group in by_length.items():
            sent: dict[str, Any] = {"_id": {"$in": [d["_id"] for d in group]}, OUTBOX: {"$size": length}}
            for i in range(length):
                sent[f"{OUTBOX}.{i}.id"] = {"$in": [d[OUTBOX][i]["id"] for d in group]}
            emptied += (await collection.update_many(sent, clear)).modified_count
    return emptied


async def raw_producer_rate(sandbox: Sandbox, events: list[Event]) -> float:
    producer = make_producer(sandbox.servers.kafka, client_id="bench-raw")
    await producer.start()
    try:
        started = time.perf_counter()
        futures = []
        for event in events:
            key, value, headers = event.to_record()
            futures.append(await producer.send(sandbox.prefix + TOPIC, value=value, key=key, headers=headers))
        await asyncio.gather(*futures)
        return len(events) / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def fill_topic(sandbox: Sandbox, events: list[Event]) -> None:
    producer = make_producer(sandbox.servers.kafka, client_id="bench-fill")
    await producer.start()
    try:
        futures = []
        for event in events:
            key, value, headers = event.to_record()
            futures.append(await producer.send(sandbox.prefix + TOPIC, value=value, key=key, headers=headers))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def effect(group: str, event: Event) -> dict[str, Any]:
    return {"_id": derived_id(group, event.id, "effect"), "event_id": event.id, "n": event.data["n"]}


async def insert_ignoring_repeats(coll: mongo.Collection, docs: list[dict[str, Any]]) -> None:
    """The idempotent effect: a redelivered event finds its document there already."""
    try:
        await coll.insert_many(docs, ordered=False)
    except mongo.BulkWriteError as exc:
        if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
            raise


async def our_consumer_rate(sandbox: Sandbox, count: int, *, batch: bool) -> float:
    purpose = f"bench-{'batch' if batch else 'each'}-{uuid.uuid4().hex[:6]}"
    db = sandbox.database("consumer")
    group = f"{sandbox.prefix}bench.{purpose}"
    coll = db[purpose]

    async def each(ctx: HandlerContext, event: Event, data: TickIn) -> None:
        await insert_ignoring_repeats(coll, [effect(group, event)])

    async def many(ctx: HandlerContext, items: list[tuple[Event, Any]]) -> None:
        await insert_ignoring_repeats(coll, [effect(group, event) for event, _ in items])

    route = Route(TOPIC, SPEC.type, TickIn, each, many if batch else None)
    producer = make_producer(sandbox.servers.kafka, client_id=purpose)
    await producer.start()
    runner = ConsumerRunner(
        service="bench",
        subscription=Subscription(purpose, [route]),
        bootstrap=sandbox.servers.kafka,
        topic_prefix=sandbox.prefix,
        dead_letter_topic=sandbox.prefix + "monitoring.dlq",
        producer=producer,
        context=HandlerContext(db=db, clock=SystemClock(), group=group, source="/bench", settings=None),
        retry=RetryPolicy(),
    )
    task = asyncio.create_task(runner.run())
    try:
        return await _rate(lambda: runner.stats.handled, count)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()
        assert await coll.count_documents({}) == count


async def raw_consumer_rate(sandbox: Sandbox, count: int, *, with_effect: bool) -> float:
    group = f"{sandbox.prefix}raw-{uuid.uuid4().hex[:6]}"
    coll = sandbox.database("consumer")[group.replace(".", "_")]
    consumer = AIOKafkaConsumer(
        sandbox.prefix + TOPIC,
        bootstrap_servers=sandbox.servers.kafka,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
    )
    await consumer.start()
    seen = 0

    async def loop() -> None:
        nonlocal seen
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batches.values():
                if with_effect:
                    events = [from_record(r.topic, r.key, r.value, list(r.headers or [])) for r in records]
                    await insert_ignoring_repeats(coll, [effect(group, e) for e in events])
                seen += len(records)
            if batches:
                await consumer.commit()

    task = asyncio.create_task(loop())
    try:
        return await _rate(lambda: seen, count)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await consumer.stop()


async def _rate(progress: Callable[[], int], count: int, timeout: float = 600) -> float:
    """Events per second from the first event handled to the last (joining the group is not counted)."""
    deadline = time.monotonic() + timeout
    while progress() == 0:  # noqa: ASYNC110 (polls a counter another task advances)
        await asyncio.sleep(0.005)
    started = time.perf_counter()
    while progress() < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {progress()} of {count} handled")
        await asyncio.sleep(0.005)
    return (count - 1) / (time.perf_counter() - started)


async def measure(servers: Servers, count: int, rounds: int, profile: str | None) -> None:
    secrets = Secrets(Path(mkdtemp()))
    results: dict[str, list[float]] = {}

    async def record(name: str, run: Awaitable[float]) -> None:
        rate = await run
        results.setdefault(name, []).append(rate)
        print(f"  {name:<44} {rate:>9,.0f} events/s", flush=True)

    for round_ in range(1, rounds + 1):
        box = Sandbox(servers, secrets)
        await box.create_topics()
        print(f"round {round_} ({count:,} events)", flush=True)
        await fill_topic(box, ticks(200))  # the new topic's leaders are known before anything is timed
        await record("bare aiokafka producer", raw_producer_rate(box, ticks(count)))
        await record("outbox relay (ours)", relay_rate(box, ticks(count), profile if round_ == 1 else None))
        await record("raw driver: the relay's database work alone", raw_database_floor(box, ticks(count)))
        await fill_topic(box, ticks(count))
        total = 3 * count + 200  # the warm-up, the raw producer, the relay and the fill all wrote the topic
        await record("bare aiokafka consume loop, no effect", raw_consumer_rate(box, total, with_effect=False))
        await record("bare consume loop + batch effect (raw driver)", raw_consumer_rate(box, total, with_effect=True))
        await record("our consumer group, batch handler", our_consumer_rate(box, total, batch=True))
        await record("our consumer group, per-event handler", our_consumer_rate(box, total, batch=False))
        await box.drop(["consumer"])

    print("\nmedian over rounds:")
    for name, rates in results.items():
        print(f"  {name:<44} {statistics.median(rates):>9,.0f} events/s")
    relay = statistics.median(results["outbox relay (ours)"]) / statistics.median(results["bare aiokafka producer"])
    batch = statistics.median(results["our consumer group, batch handler"])
    raw_effect = statistics.median(results["bare consume loop + batch effect (raw driver)"])
    floor = statistics.median(results["raw driver: the relay's database work alone"])
    print(f"\nrelay / bare producer: {relay:.2f}  (goal: at least 0.50)")
    print(f"relay / its database work alone: {statistics.median(results['outbox relay (ours)']) / floor:.2f}")
    print(f"our batch consumer / bare loop with the same effect: {batch / raw_effect:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", metavar="NAME", help="profile the first relay round into bench/profiles/NAME-*")
    args = parser.parse_args()
    servers, started = servers_for_tests()  # started before the event loop: starting waits synchronously
    try:
        asyncio.run(measure(servers, args.events, args.rounds, args.profile))
    finally:
        if started is not None:
            stop_servers(started)


if __name__ == "__main__":
    main()
