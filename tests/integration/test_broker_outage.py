"""The broker dies mid-burst and comes back in place: no registration lost, no plan doubled.

This test runs its own Kafka and FerretDB (killing the shared broker would fail the other tests).
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from gridline.devstack import servers
from gridline.testing import Sandbox, Secrets, Servers, eventually

from tests.conftest import Platform
from tests.integration.people import create_grid, prc_id, returnee, worker

pytestmark = pytest.mark.integration

PEOPLE = 60


async def register(registry: httpx.AsyncClient, secrets: Secrets, grid_id: str, n: int) -> str:
    body = returnee(grid_id, number=prc_id(sequence=100 + n))
    headers = {**worker(secrets, subject=f"worker-{n}"), "Idempotency-Key": f"burst-registration-{n}"}
    while True:  # a phone retries until it gets an answer; the key makes the retry create nothing new
        response = await registry.post("/v1/persons", json=body, headers=headers)
        if response.status_code != 503:
            break
        await asyncio.sleep(0.2)
    assert response.status_code == 201, response.text
    person_id: str = response.json()["id"]
    return person_id


async def test_a_broker_killed_mid_burst_restarts_in_place_and_every_person_gets_one_plan(
    tmp_path: Path, secrets: Secrets
) -> None:
    state = tmp_path / "stack"
    stack = await asyncio.to_thread(servers.start, state)
    platform = Platform(Sandbox(Servers(stack.kafka_bootstrap, stack.mongodb_url), secrets))
    try:
        await platform.sandbox.create_topics()
        await platform.start("registry", "monitoring")
        registry, monitoring = platform.client("registry"), platform.client("monitoring")
        grid_id = await create_grid(registry, secrets)

        first = await asyncio.gather(*(register(registry, secrets, grid_id, n) for n in range(PEOPLE // 3)))
        burst = asyncio.gather(*(register(registry, secrets, grid_id, n) for n in range(PEOPLE // 3, PEOPLE)))
        os.kill(stack.kafka_pid, signal.SIGKILL)  # while the rest of the burst is arriving
        rest = await burst  # registrations do not need the broker: their events wait in the outbox
        await asyncio.to_thread(os.waitpid, stack.kafka_pid, 0)  # gone for good, as an operator would find it

        restarted = await asyncio.to_thread(servers.start, state)
        assert (restarted.kafka_port, restarted.mongo_port) == (stack.kafka_port, stack.mongo_port)
        assert restarted.ferretdb_pid == stack.ferretdb_pid  # the database was up: it was left alone
        assert restarted.kafka_pid != stack.kafka_pid

        people = [*first, *rest]
        assert len(set(people)) == PEOPLE

        async def everyone_has_one_active_plan() -> None:
            for n, person_id in enumerate(people):
                plans = await monitoring.get(
                    "/v1/plans", params={"person_id": person_id}, headers=worker(secrets, subject=f"worker-{n}")
                )
                assert plans.status_code == 200, plans.text
                items: list[dict[str, Any]] = plans.json()["items"]
                assert [p["status"] for p in items] == ["active"], (person_id, items)

        await eventually(everyone_has_one_active_plan, timeout=180, interval=2)
    finally:
        await platform.running.close()
        await asyncio.to_thread(servers.stop, state)
