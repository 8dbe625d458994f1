"""A keyed subscription: one partition's keys handled side by side, each key's records in order, nothing lost."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from gridline.clock import SystemClock
from gridline.consumer import ConsumerRunner, HandlerContext, RetryPolicy, Route, Subscription
from gridline.events import Event, EventData, EventSpec, InboundData, event_type
from gridline.kafka import make_producer
from gridline.mongo import AutoReconnect
from gridline.outbox import make_event
from gridline.testing import Sandbox, eventually

pytestmark = pytest.mark.integration

TOPIC = "monitoring.checkin.v1"  # any declared topic; every record below goes to its partition 0


class Step(EventData):
    n: int


class StepIn(InboundData):
    n: int


SPEC = EventSpec(TOPIC, event_type("test", "step", "taken"), Step)


async def test_keys_run_side_by_side_each_in_order_and_a_failed_lane_resumes_where_it_failed(sandbox: Sandbox) -> None:
    keys = ["slow", "fast", "flaky"]
    events = [_step(key, n) for n in range(5) for key in keys]  # interleaved: slow0 fast0 flaky0 slow1 ...
    done: dict[str, list[tuple[int, float]]] = {key: [] for key in keys}
    failed_once: set[str] = set()

    async def handle(ctx: HandlerContext, event: Event, data: StepIn) -> None:
        if event.subject == "slow":
            await asyncio.sleep(0.3)
        if event.subject == "flaky" and data.n == 2 and event.id not in failed_once:
            failed_once.add(event.id)
            raise AutoReconnect("the database went away for a moment")
        if data.n not in [n for n, _ in done[event.subject]]:  # a record that comes again has no second effect
            done[event.subject].append((data.n, time.monotonic()))

    producer = make_producer(sandbox.servers.kafka, client_id=f"{sandbox.name}-dead-letters")
    await producer.start()
    runner = await _run(sandbox, Route(TOPIC, SPEC.type, StepIn, handle), producer)
    try:
        await _publish_to_one_partition(sandbox, events)

        async def all_handled() -> None:
            assert all(len(steps) == 5 for steps in done.values()), done

        await eventually(all_handled, timeout=30)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await producer.stop()

    for key in keys:
        assert [n for n, _ in done[key]] == [0, 1, 2, 3, 4], (key, done[key])
    # One record at a time in offset order would finish "fast" only after the fourth "slow" one.
    assert done["fast"][-1][1] < done["slow"][2][1]
    assert failed_once  # the flaky lane failed once, and its partition resumed from that record


def _step(key: str, n: int) -> Event:
    return make_event(SPEC, source="/test", key=key, data=Step(n=n), clock=SystemClock())


async def _run(sandbox: Sandbox, route: Route, producer: Any) -> asyncio.Task[None]:
    purpose = f"lanes-{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(
        service="test",
        subscription=Subscription(purpose, [route], by_key=True),
        bootstrap=sandbox.servers.kafka,
        topic_prefix=sandbox.prefix,
        dead_letter_topic=sandbox.prefix + "monitoring.dlq",
        producer=producer,
        context=HandlerContext(
            db=sandbox.database("monitoring"), clock=SystemClock(), group=purpose, source="/test", settings=None
        ),
        retry=RetryPolicy(max_attempts=1, backoff_seconds=0.05),
    )
    task = asyncio.create_task(runner.run())
    await asyncio.wait_for(runner.started.wait(), 30)
    await _assigned(runner)
    return task


async def _assigned(runner: ConsumerRunner) -> None:
    """Wait until the group has joined and polled, so records sent next are read from their offsets."""

    async def polled() -> None:
        assert runner.stats.last_poll is not None

    await eventually(polled, timeout=30)


async def _publish_to_one_partition(sandbox: Sandbox, events: list[Event]) -> None:
    """One record batch, so one poll reads them all: side by side is then a property of the consumer alone,
    not of how fast a loaded machine happens to deliver records one by one."""
    producer = make_producer(sandbox.servers.kafka, client_id=f"{sandbox.name}-lanes")
    await producer.start()
    try:
        batch = producer.create_batch()
        for event in events:
            key, value, headers = event.to_record()
            assert batch.append(key=key, value=value, timestamp=None, headers=headers) is not None
        sent: Any = await producer.send_batch(batch, sandbox.prefix + TOPIC, partition=0)
        await sent
    finally:
        await producer.stop()
