"""Visit cadences and recurring requests fire once per day with two replicas, however far the clock jumps.

Here the clock jumps by days, further than the relay's lease: a relay that loses its lease in mid-round may
send an event again, with the same id (the outbox's at-least-once delivery, for consumers to drop). What
must hold is one effect per timer: one visit per due day, one request per occurrence, one event id each.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from gridline.testing import Sandbox, eventually

from tests.integration.care_world import (
    clock_at,
    coordinator,
    deliver,
    elderly_registered,
    events_of,
    two_replicas,
)

pytestmark = pytest.mark.integration


async def test_visits_and_recurring_requests_happen_once_per_day_with_two_replicas(sandbox: Sandbox) -> None:
    clock = clock_at()  # Monday 2026-03-02, 10:00
    db = sandbox.database("care")
    async with two_replicas(sandbox, clock) as running:
        spec, data = elderly_registered("p-1")
        await deliver(sandbox, spec, data, key="p-1")

        async def member_joined() -> None:
            assert await db["members"].find_one({"_id": "p-1"}) is not None

        await eventually(member_joined, timeout=60)
        template = {
            "person_id": "p-1",
            "type": "shopping",
            "needs": "每周买菜",
            "every_days": 7,
            "first_on": "2026-03-02",
            "at": "09:00",
        }
        created = await running.clients["care-b"].post(
            "/v1/request-templates", json=template, headers=coordinator(sandbox.secrets)
        )
        assert created.status_code == 201, created.text

        async def settled(visits: list[tuple[str, str]], requests: int) -> None:
            found = [(v["due_on"], v["status"]) async for v in db["visits"].find({"member_id": "p-1"})]
            assert sorted(found) == visits
            assert await db["requests"].count_documents({"source": "template"}) == requests

        await eventually(lambda: settled([("2026-03-02", "due")], 1), timeout=60)
        clock.advance(timedelta(days=7))
        await eventually(lambda: settled([("2026-03-02", "overdue"), ("2026-03-09", "due")], 2), timeout=60)
        clock.advance(timedelta(days=2))
        await eventually(lambda: settled([("2026-03-02", "overdue"), ("2026-03-09", "overdue")], 2), timeout=60)

        visit_events = await events_of(sandbox, "care.visit.v1", at_least=4)
        assert _facts(visit_events) == {
            ("due", "2026-03-02"),
            ("overdue", "2026-03-02"),
            ("due", "2026-03-09"),
            ("overdue", "2026-03-09"),
        }
        assert len({e.id for e in visit_events}) == 4
        opened = [e for e in await events_of(sandbox, "care.request.v1", at_least=2) if e.type.endswith("opened.v1")]
        assert len({e.id for e in opened}) == len({e.data["request_id"] for e in opened}) == 2


def _facts(events: list[Any]) -> set[tuple[str, str]]:
    return {(e.type.split(".")[3], e.data["due_on"]) for e in events}
