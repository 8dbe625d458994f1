"""The relay never drops an event added to an outbox while that outbox's batch was in flight.

On the real FerretDB and Kafka: events pushed into an outbox between the relay's read and its clearing stay
there with their marker and go out in the next round, after the ones before them, and nothing goes twice.
Each record carries the trace context its event was created in, under one publish span per batch.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from gridline import mongo, telemetry
from gridline.clock import SystemClock
from gridline.events import EventData, EventSpec, event_type
from gridline.kafka import make_producer
from gridline.leases import Lease
from gridline.outbox import OUTBOX, PENDING_SINCE, OutboxRelay, make_event, new_document, outbox_indexes, with_events
from gridline.testing import Sandbox
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

pytestmark = pytest.mark.integration

TOPIC = "monitoring.checkin.v1"  # any declared topic: the sandbox creates it


class Tick(EventData):
    n: int
    community_code: str


SPEC = EventSpec(TOPIC, event_type("test", "tick", "happened"), Tick)
CLOCK = SystemClock()


def tick(key: str, n: int) -> Any:
    return make_event(SPEC, source="/test", key=key, data=Tick(n=n, community_code="330106001001"), clock=CLOCK)


async def relay_over(sandbox: Sandbox, db: mongo.Database) -> tuple[OutboxRelay, Any]:
    producer = make_producer(sandbox.servers.kafka, client_id=f"test-relay-{uuid.uuid4().hex[:6]}")
    await producer.start()
    relay = OutboxRelay(
        db=db,
        collections=["aggregates"],
        producer=producer,
        lease=Lease(db=db, name="relay", holder="test", clock=CLOCK, ttl=timedelta(seconds=60)),
        clock=CLOCK,
        topic_prefix=sandbox.prefix,
        interval=0.1,
    )
    return relay, producer


async def test_events_added_while_a_batch_is_in_flight_stay_and_go_out_next_in_order(sandbox: Sandbox) -> None:
    db = sandbox.database(f"relay{uuid.uuid4().hex[:6]}")
    await mongo.ensure_indexes(db, outbox_indexes(["aggregates"]))
    keys = [f"agg-{n}" for n in range(5)]
    await db.aggregates.insert_many([new_document({"_id": k}, [tick(k, 1)], clock=CLOCK) for k in keys])
    relay, producer = await relay_over(sandbox, db)
    try:
        batch = await relay._queue(await relay._read_batch(db.aggregates, exclude=[]))
        # A writer adds an event to two of the aggregates after the relay read them, before it clears them.
        for key in keys[:2]:
            await db.aggregates.update_one({"_id": key}, with_events({"$set": {"n": 2}}, [tick(key, 2)], clock=CLOCK))
        assert await relay._finish(db.aggregates, batch) == 5

        docs = {d["_id"]: d async for d in db.aggregates.find({})}
        for key in keys[:2]:
            assert [e["data"]["n"] for e in docs[key][OUTBOX]] == [2]  # only what was sent went
            assert PENDING_SINCE in docs[key]
        for key in keys[2:]:
            assert docs[key][OUTBOX] == []
            assert PENDING_SINCE not in docs[key]

        assert await relay.publish_pending() == 2
        assert await db.aggregates.count_documents({PENDING_SINCE: {"$exists": True}}) == 0
    finally:
        await producer.stop()
    records = await sandbox.read_topic(TOPIC, at_least=7)
    assert len(records) == 7  # 5 then 2: nothing twice
    for key in keys[:2]:
        mine = sorted((r for r in records if r.key == key.encode()), key=lambda r: r.offset)
        assert [r.event().data["n"] for r in mine] == [1, 2]


async def test_each_record_carries_its_events_creation_context_under_one_publish_span(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter, provider = InMemorySpanExporter(), TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(telemetry, "tracer", provider.get_tracer("relay"))
    db = sandbox.database(f"relay{uuid.uuid4().hex[:6]}")
    await mongo.ensure_indexes(db, outbox_indexes(["aggregates"]))
    created: dict[str, str] = {}
    for n in range(3):
        with provider.get_tracer("requests").start_as_current_span(f"request {n}"):
            event = tick(f"agg-{n}", n)
        assert event.traceparent is not None
        created[event.id] = event.traceparent
        await db.aggregates.insert_one(new_document({"_id": f"agg-{n}"}, [event], clock=CLOCK))
    relay, producer = await relay_over(sandbox, db)
    try:
        assert await relay.publish_pending() == 3
    finally:
        await producer.stop()
    records = await sandbox.read_topic(TOPIC, at_least=3)
    assert {r.event().id: r.header("traceparent") for r in records} == created
    (publish,) = [s for s in exporter.get_finished_spans() if s.name == "publish"]
    assert publish.kind is SpanKind.PRODUCER
    assert publish.attributes is not None
    assert publish.attributes["messaging.batch.message_count"] == 3
    linked = {format(link.context.span_id, "016x") for link in publish.links}
    assert linked == {traceparent.split("-")[2] for traceparent in created.values()}


async def test_outboxes_are_emptied_by_one_update_per_length_and_a_refilled_one_keeps_its_new_event(
    sandbox: Sandbox,
) -> None:
    log = mongo.record_commands()  # sees the clients made after it
    client = mongo.connect(sandbox.servers.mongodb)
    name = f"{sandbox.name}_relay{uuid.uuid4().hex[:6]}"
    db = client[name]
    await mongo.ensure_indexes(db, outbox_indexes(["aggregates"]))
    singles, double = [f"one-{n}" for n in range(3)], "two"
    await db.aggregates.insert_many([new_document({"_id": k}, [tick(k, 1)], clock=CLOCK) for k in singles])
    await db.aggregates.insert_one(new_document({"_id": double}, [tick(double, 1), tick(double, 2)], clock=CLOCK))
    relay, producer = await relay_over(sandbox, db)
    try:
        batch = await relay._queue(await relay._read_batch(db.aggregates, exclude=[]))
        # Meanwhile another relay (its lease lapsed into ours) published and emptied one outbox, and a writer
        # added a new event to it: the same length as what we sent, but not what we sent.
        refilled = singles[0]
        await db.aggregates.update_one({"_id": refilled}, {"$set": {OUTBOX: []}, "$unset": {PENDING_SINCE: ""}})
        newer = tick(refilled, 9)
        await db.aggregates.update_one({"_id": refilled}, with_events({}, [newer], clock=CLOCK))
        updates_before = _updates(log, name)
        assert await relay._finish(db.aggregates, batch) == 5
        clearing = _updates(log, name)[len(updates_before) :]
        docs = {d["_id"]: d async for d in db.aggregates.find({})}
    finally:
        log.stop()
        await producer.stop()
        await client.drop_database(name)
        await client.close()
    # One update for the outboxes of one event and one for the outbox of two, each over its documents;
    # then the refilled one is looked up, and its sent event popped only if still first, which it is not.
    assert [(len(c["updates"]), bool(c["updates"][0].get("multi"))) for c in clearing[:2]] == [(1, True)] * 2
    assert [e["id"] for e in docs[refilled][OUTBOX]] == [newer.id]
    assert PENDING_SINCE in docs[refilled]
    for key in [*singles[1:], double]:
        assert docs[key][OUTBOX] == []
        assert PENDING_SINCE not in docs[key]


def _updates(log: mongo.CommandLog, database: str) -> list[dict[str, Any]]:
    return [c for db, c in log.commands if db == database and "update" in c]
