"""A crash anywhere between the state write and the publish loses nothing and doubles nothing."""

from __future__ import annotations

from typing import Any

import pytest
from gridline.events import Event
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.people import create_grid, returnee, worker

pytestmark = pytest.mark.integration


class Crash(Exception):
    """Stands for the process dying at this point."""


async def one_plan(platform: Platform, person_id: str) -> None:
    async def exactly_one() -> None:
        plans = await platform.sandbox.database("monitoring")["plans"].count_documents({"person_id": person_id})
        assert plans == 1

    await eventually(exactly_one)


async def test_crash_after_the_write_before_any_publish_still_publishes_once(platform: Platform) -> None:
    await platform.start("registry", "monitoring")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    await platform.sandbox.read_topic("registry.grid.v1", at_least=1)

    async def die_before_sending(event: Event) -> None:
        raise Crash

    platform.runtime("registry").relay._send = die_before_sending  # type: ignore[method-assign,union-attr]
    response = await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))
    assert response.status_code == 201
    stored = await platform.sandbox.database("registry")["persons"].find_one({"_id": response.json()["id"]})
    assert stored is not None
    assert len(stored["_outbox"]) == 2  # an accepted write, its events waiting inside it

    await platform.restart("registry")

    await one_plan(platform, response.json()["id"])
    records = await platform.sandbox.read_topic("registry.person.v1", at_least=2)
    assert len(records) == 2
    drained = await platform.sandbox.database("registry")["persons"].find_one({"_id": response.json()["id"]})
    assert drained is not None
    assert drained["_outbox"] == []
    assert "_outbox_at" not in drained


async def test_crash_after_publish_before_marking_republishes_and_the_plan_is_still_one(platform: Platform) -> None:
    await platform.start("registry", "monitoring")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    relay: Any = platform.runtime("registry").relay
    real_send = relay._send

    async def die_after_sending_the_classification(event: Event) -> None:
        await real_send(event)
        if event.type.endswith("person.classified.v1"):
            raise Crash

    await eventually(_grid_published(platform))
    relay._send = die_after_sending_the_classification
    response = await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))
    await platform.sandbox.read_topic("registry.person.v1", at_least=2)

    await platform.restart("registry")

    records = await platform.sandbox.read_topic("registry.person.v1", at_least=3)
    classified = [r for r in records if r.event().type.endswith("person.classified.v1")]
    assert len(classified) >= 2  # published again after the crash: at least once
    assert len({r.event().id for r in classified}) == 1  # ... with the same id
    await one_plan(platform, response.json()["id"])
    started = await platform.sandbox.read_topic("monitoring.plan.v1", at_least=1)
    assert len(started) == 1


def _grid_published(platform: Platform) -> Any:
    async def check() -> None:
        grids = await platform.sandbox.database("registry")["grids"].find_one({"_outbox_at": {"$exists": True}})
        assert grids is None

    return check
