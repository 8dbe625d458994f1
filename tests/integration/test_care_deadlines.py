"""A missed response deadline gives `request.overdue` at the deadline, exactly once, with two instances running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from gridline.clock import FixedClock
from gridline.events import Event
from gridline.testing import Running, Sandbox, eventually

from tests.conftest import Platform
from tests.integration.care_world import (
    clock_at,
    coordinator,
    events_of,
    helper_body,
    open_request,
    register_helper,
    two_replicas,
    volunteer,
)

pytestmark = pytest.mark.integration
OVERDUE = "gridline.care.request.overdue.v1"


# Short deadlines, so the test's clock can move the way real time does, in steps (see `time_passes`).
DEADLINES = {p: {"acknowledge_minutes": 2, "fulfil_minutes": 4} for p in ("urgent", "high", "normal", "low")}


@pytest.fixture
async def two_instances(sandbox: Sandbox) -> AsyncIterator[tuple[Running, FixedClock]]:
    clock = clock_at()
    async with two_replicas(sandbox, clock, response_deadlines=DEADLINES) as running:
        yield running, clock


async def time_passes(sandbox: Sandbox, clock: FixedClock, duration: timedelta) -> None:
    """Move the clock as real time moves: in steps shorter than the relay's lease, each renewed before the next.

    One jump longer than the lease would let the other replica's relay take over while the first is still
    sending, which on a real clock happens only to a relay stalled past its lease (it then sends an event
    again, with the same id, as the outbox allows); not what this test is about.
    """
    leases = sandbox.database("care")["leases"]
    step = timedelta(seconds=10)
    for _ in range(int(duration / step)):
        clock.advance(step)

        async def renewed() -> None:
            lease = await leases.find_one({"_id": "outbox-relay"})
            assert lease is not None
            assert lease["until"] - clock.now() > step

        await eventually(renewed, interval=0.05)


async def overdue_events(sandbox: Sandbox, *, expected: int) -> list[Event]:
    """Every overdue event, after giving a duplicate (from the other replica) time to show up."""
    if expected:
        await events_of(sandbox, "care.request.v1", at_least=1)
    await asyncio.sleep(2)
    return [e for e in await events_of(sandbox, "care.request.v1", at_least=0, timeout=20) if e.type == OVERDUE]


async def test_an_unacknowledged_urgent_request_is_overdue_at_its_deadline_exactly_once_with_two_instances(
    sandbox: Sandbox, two_instances: tuple[Running, FixedClock]
) -> None:
    running, clock = two_instances
    care = running.clients["care-a"]
    request = await open_request(care, sandbox.secrets, type_="medicine", priority="urgent")

    await time_passes(sandbox, clock, timedelta(seconds=110))
    assert await overdue_events(sandbox, expected=0) == []

    await time_passes(sandbox, clock, timedelta(seconds=20))  # the acknowledge deadline passes

    async def announced() -> None:
        assert [e for e in await events_of(sandbox, "care.request.v1", at_least=2, timeout=3) if e.type == OVERDUE]

    await eventually(announced, timeout=60)
    seen = await running.clients["care-b"].get(f"/v1/requests/{request['id']}", headers=coordinator(sandbox.secrets))
    assert seen.json()["overdue"]["acknowledge"] is not None
    assert [h["action"] for h in seen.json()["history"]] == ["opened", "overdue_acknowledge"]
    overdue = await overdue_events(sandbox, expected=1)
    assert [(e.data["missed"], e.data["request_id"]) for e in overdue] == [("acknowledge", request["id"])]
    assert overdue[0].data["due_at"] == request["acknowledge_by"].replace("+00:00", "Z")

    await time_passes(sandbox, clock, timedelta(minutes=2))  # and the fulfil deadline

    async def fulfil_announced() -> None:
        found = [e for e in await events_of(sandbox, "care.request.v1", at_least=3, timeout=3) if e.type == OVERDUE]
        assert [e.data["missed"] for e in found] == ["acknowledge", "fulfil"]

    await eventually(fulfil_announced, timeout=60)
    assert [e.data["missed"] for e in await overdue_events(sandbox, expected=2)] == ["acknowledge", "fulfil"]


async def test_an_acknowledged_request_misses_no_acknowledge_deadline(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("care", clock=clock)
    care, secrets = platform.client("care"), platform.sandbox.secrets
    helper = await register_helper(care, secrets, helper_body("准时", skills=["medicine"], account="vol-on-time"))
    request = await open_request(care, secrets)
    await care.post(
        f"/v1/requests/{request['id']}/assign", json={"helper_id": helper["id"]}, headers=coordinator(secrets)
    )
    acknowledged = await care.post(
        f"/v1/requests/{request['id']}/acknowledge", headers=volunteer(secrets, "vol-on-time")
    )
    assert acknowledged.status_code == 200, acknowledged.text

    clock.advance(timedelta(minutes=45))
    await asyncio.sleep(2)  # the acknowledge timer fires and finds nothing to announce
    jobs = platform.sandbox.database("care")["jobs"]

    async def timer_done() -> None:
        job = await jobs.find_one({"_id": f"care.request-deadline:{request['id']}:acknowledge"})
        assert job is not None
        assert job["status"] == "done"

    await eventually(timer_done)
    assert await overdue_events(platform.sandbox, expected=0) == []


async def test_a_deadline_survives_a_restart(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("care", clock=clock)
    request = await open_request(platform.client("care"), platform.sandbox.secrets)
    await platform.running.stop("care")

    clock.advance(timedelta(minutes=31))
    await platform.start("care", clock=clock)

    async def announced() -> None:
        found = [
            e for e in await events_of(platform.sandbox, "care.request.v1", at_least=2, timeout=3) if e.type == OVERDUE
        ]
        assert [e.data["request_id"] for e in found] == [request["id"]]

    await eventually(announced, timeout=60)
