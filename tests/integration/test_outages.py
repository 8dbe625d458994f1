"""The database or the broker goes away for a second, half a minute or three minutes and comes back in place:
every loop carries on by itself, and no service needs a restart.

Each case runs its own Kafka and FerretDB (killing the shared ones would fail the other tests) and the four
services on one clock. Before the outage each kind of loop has work in hand (a consumer's plan, a pending
escalation timer, the relay's events); while the server is gone the loops keep trying. Afterwards, work queued
after the outage goes all the way through: a registry import completes (jobs), an alert opens an incident
(consumer) whose escalation fires when its wait is over (jobs), a cut-off marks the missed check-in and the
relay publishes it (jobs, relay), and `/healthz` answers 200 on all four services.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from gridline.clock import FixedClock
from gridline.devstack import servers
from gridline.testing import Sandbox, Secrets, Servers, eventually

from tests.conftest import Platform
from tests.contracts import upstream as agreed
from tests.integration.monitored import open_plan
from tests.integration.people import create_grid, worker
from tests.integration.test_duty_incidents import alert, incidents, level_reaches, steps
from tests.integration.test_imports import finished, people, upload, xlsx
from tests.integration.test_monitoring_cutoff import pass_cut_off
from tests.services.duty.support import MORNING, clock_at, create_rotation, of_type, publish

pytestmark = pytest.mark.integration

SERVICES = ("registry", "monitoring", "care", "duty")
DAY = MORNING.date()


class Stack:
    """Servers of this test alone, and the platform on them."""

    def __init__(self, state: Path, platform: Platform, clock: FixedClock) -> None:
        self.state = state
        self.platform = platform
        self.clock = clock

    async def take_away(self, server: str, seconds: float) -> None:
        """Kill the server as a crash would, leave it down for `seconds`, then start it again in place."""
        stack = servers.Stack.load(self.state)
        assert stack is not None
        pid = stack.ferretdb_pid if server == "database" else stack.kafka_pid
        os.kill(pid, signal.SIGKILL)
        await asyncio.to_thread(os.waitpid, pid, 0)
        await asyncio.sleep(seconds)
        again = await asyncio.to_thread(servers.start, self.state)
        assert (again.kafka_port, again.mongo_port) == (stack.kafka_port, stack.mongo_port)


@pytest.fixture
async def stack(tmp_path: Path, secrets: Secrets) -> AsyncIterator[Stack]:
    state = tmp_path / "stack"
    started = await asyncio.to_thread(servers.start, state)
    platform = Platform(Sandbox(Servers(started.kafka_bootstrap, started.mongodb_url), secrets))
    clock = clock_at()
    try:
        await platform.sandbox.create_topics()
        await platform.start(*SERVICES, clock=clock)
        yield Stack(state, platform, clock)
    finally:
        await platform.running.close()
        await asyncio.to_thread(servers.stop, state)


async def work_in_hand(stack: Stack) -> None:
    """Something for each kind of loop before the outage: a plan, an incident and its escalation timer."""
    platform, secrets = stack.platform, stack.platform.sandbox.secrets
    await create_rotation(platform.client("duty"), secrets)
    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("before"), key="before")
    await incidents(platform.client("duty"), secrets)
    await open_plan(platform, "person-before", starts_on=DAY - timedelta(days=1), clock=stack.clock)


async def everything_goes_through(stack: Stack) -> None:
    """Work queued after the outage, through every kind of loop."""
    platform, secrets = stack.platform, stack.platform.sandbox.secrets
    registry, duty = platform.client("registry"), platform.client("duty")
    await create_grid(registry, secrets)
    uploaded = await upload(registry, worker(secrets), "after.xlsx", xlsx(people(3)))
    assert uploaded.status_code == 202, uploaded.text
    assert (await finished(registry, worker(secrets), uploaded.json()["id"]))["imported"] == 3

    await publish(platform.sandbox, agreed.ALERT_RAISED, alert("after"), key="after")
    opened = await incidents(duty, secrets, count=2)
    await open_plan(platform, "person-after", starts_on=DAY - timedelta(days=1), clock=stack.clock)
    stack.clock.advance(timedelta(minutes=11))
    for incident in opened:
        await level_reaches(duty, secrets, incident["id"], 1)
    assert len(of_type(await steps(platform, 4), "escalated")) == 2

    await pass_cut_off(stack.clock, DAY)

    async def both_missed() -> None:
        records = await platform.sandbox.read_topic("monitoring.checkin.v1", at_least=2)
        missed = {r.event().data["person_id"] for r in records if r.event().type.endswith("checkin.missed.v1")}
        assert {"person-before", "person-after"} <= missed, missed  # the imported people missed theirs too

    await eventually(both_missed)


async def all_live(stack: Stack) -> None:
    """Alive without a restart, and ready: each service reaches the database and the broker again."""

    async def answered() -> None:
        for name in SERVICES:
            for probe in ("/healthz", "/readyz"):
                answer = await stack.platform.client(name).get(probe)
                assert answer.status_code == 200, (name, probe, answer.text)

    await eventually(answered, timeout=30)


@pytest.mark.parametrize("seconds", [1, 30, 180])
@pytest.mark.parametrize("server", ["database", "broker"])
async def test_every_loop_carries_on_after_the_server_comes_back(stack: Stack, server: str, seconds: int) -> None:
    await work_in_hand(stack)

    await stack.take_away(server, seconds)

    await all_live(stack)
    await everything_goes_through(stack)
    await all_live(stack)
