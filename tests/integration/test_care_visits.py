"""Visits fall due by each group's cadence, are recorded with outcome and needs, and raise `visit.overdue` when late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from care.visits import chains
from gridline.events import Event
from gridline.testing import eventually
from registry.persons.events import UPDATED

from tests.conftest import Platform
from tests.integration.care_world import (
    clock_at,
    coordinator,
    elderly_registered,
    events_of,
    handled,
    member_facts,
    member_written_after_timer_ran,
    person_updated,
)

pytestmark = pytest.mark.integration


async def visits(platform: Platform, **params: str) -> list[dict[str, Any]]:
    response = await platform.client("care").get(
        "/v1/visits", params=params, headers=coordinator(platform.sandbox.secrets)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def visit_events(platform: Platform, count: int) -> list[Event]:
    async def arrived() -> list[Event]:
        found = await events_of(platform.sandbox, "care.visit.v1", at_least=count, timeout=3)
        assert len(found) >= count
        return found

    return await eventually(arrived, timeout=60)


async def test_a_weekly_call_falls_due_is_recorded_and_the_next_one_unrecorded_goes_overdue_once(
    platform: Platform,
) -> None:
    clock = clock_at()  # Monday 2026-03-02
    await platform.start("care", clock=clock)
    await member_facts(platform.sandbox, "p-1", elderly_registered("p-1"))
    await handled(platform, "members", 1)

    async def first_due() -> dict[str, Any]:
        found = await visits(platform)
        assert len(found) == 1
        return found[0]

    visit = await eventually(first_due)
    assert (visit["group"], visit["kind"], visit["due_on"], visit["status"]) == (
        "elderly_in_difficulty",
        "phone_call",
        "2026-03-02",
        "due",
    )
    recorded = await platform.client("care").post(
        f"/v1/visits/{visit['id']}/record",
        json={"outcome": "needs_found", "needs": ["medicine", "shopping"], "notes": "降压药快吃完了"},
        headers=coordinator(platform.sandbox.secrets),
    )
    assert recorded.status_code == 200, recorded.text
    assert (recorded.json()["status"], recorded.json()["method"]) == ("recorded", "phone_call")
    again = await platform.client("care").post(
        f"/v1/visits/{visit['id']}/record", json={"outcome": "well"}, headers=coordinator(platform.sandbox.secrets)
    )
    assert again.status_code == 409

    clock.advance(timedelta(days=7))  # Monday 2026-03-09: the next call is due

    async def second_due() -> None:
        assert [v["due_on"] for v in await visits(platform)] == ["2026-03-09"]

    await eventually(second_due, timeout=60)
    clock.advance(timedelta(days=2))  # its day and one day of grace have passed

    published = await visit_events(platform, 4)
    # Each visit's events are in order (one key, one partition); the two visits' may interleave.
    facts = sorted(((e.type.split(".")[3], e.data["due_on"]) for e in published), key=lambda fact: fact[1])
    assert facts == [
        ("due", "2026-03-02"),
        ("recorded", "2026-03-02"),
        ("due", "2026-03-09"),
        ("overdue", "2026-03-09"),
    ]
    assert [e.data["needs"] for e in published if "needs" in e.data] == [["medicine", "shopping"]]
    assert [v["status"] for v in await visits(platform)] == ["overdue"]


async def test_a_chain_whose_first_link_runs_before_the_member_is_written_still_starts(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new member's first visit is due today, at once: the runner may take it before the member is stored."""
    await platform.start("care", clock=clock_at())
    member_written_after_timer_ran(platform, monkeypatch, chains.KIND)
    await member_facts(platform.sandbox, "p-1", elderly_registered("p-1"))
    await handled(platform, "members", 1)

    async def first_due() -> None:
        assert [v["due_on"] for v in await visits(platform)] == ["2026-03-02"]

    await eventually(first_due, timeout=60)


async def test_a_visit_of_someone_who_left_the_group_is_dropped_not_overdue(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("care", clock=clock)
    await member_facts(platform.sandbox, "p-2", elderly_registered("p-2"))
    await handled(platform, "members", 1)

    async def due() -> None:
        assert len(await visits(platform)) == 1

    await eventually(due)
    await member_facts(platform.sandbox, "p-2", (UPDATED, person_updated("p-2", groups=[])))
    await handled(platform, "members", 2)
    clock.advance(timedelta(days=2))

    async def dropped() -> None:
        assert [v["status"] for v in await visits(platform, status="dropped")] == ["dropped"]

    await eventually(dropped, timeout=60)
    assert [e.type.split(".")[3] for e in await events_of(platform.sandbox, "care.visit.v1", at_least=1)] == ["due"]


async def test_recording_a_visit_needs_a_known_outcome_and_the_needs_found(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, headers = platform.client("care"), coordinator(platform.sandbox.secrets)

    no_needs = await care.post("/v1/visits/any/record", json={"outcome": "needs_found"}, headers=headers)
    unknown = await care.post("/v1/visits/any/record", json={"outcome": "well"}, headers=headers)

    assert no_needs.status_code == 422
    assert unknown.status_code == 404
