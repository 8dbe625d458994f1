"""Opening many incidents and asking for many pages together: the same effects as one by one, once each."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from duty.incidents import opening
from duty.paging import grouping
from duty.settings import DutySettings
from gridline.outbox import OUTBOX
from gridline.runtime import Runtime

from tests.conftest import Platform
from tests.services.duty.support import COMMUNITY, OTHER_COMMUNITY, clock_at, create_rotation

pytestmark = pytest.mark.integration


def an_opening(incident_id: str, community: str = COMMUNITY) -> opening.Opening:
    return opening.Opening(
        incident_id=incident_id,
        community_code=community,
        grid_id=None,
        venue_id=None,
        person_id="person-1",
        kind="fever",
        severity="high",
        source_type="alert",
        source_id=incident_id,
        summary="体温异常",
        opened_by="monitoring",
    )


async def hold_relay(runtime: Runtime) -> None:
    """Stop the service's relay, so the outboxes this test reads hold what was written, not what is left."""
    relay = next(task for task in runtime.tasks if task.get_name() == "outbox-relay")
    relay.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await relay


async def test_many_alerts_open_each_incident_once_as_one_by_one_and_a_redelivery_opens_none(
    platform: Platform,
) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock)
    runtime = platform.runtime("duty")
    db, settings = runtime.database(), runtime.settings
    assert isinstance(settings, DutySettings)
    await hold_relay(runtime)
    await create_rotation(platform.client("duty"), platform.sandbox.secrets)
    single, _ = await opening.open_incident(db=db, clock=clock, settings=settings, opening=an_opening("single"))

    batch = [an_opening("a"), an_opening("b"), an_opening("a"), an_opening("single"), an_opening("c", OTHER_COMMUNITY)]
    results = await opening.open_many(db=db, clock=clock, settings=settings, openings=batch)

    assert [(doc["_id"], opened) for doc, opened in results] == [
        ("a", True),
        ("b", True),
        ("single", False),
        ("c", True),
    ]
    by_id = {doc["_id"]: doc for doc, _ in results}
    same = ("assignee", "chain", "tasks", "level", "status", "scope")
    assert {k: by_id["a"][k] for k in same} == {k: single[k] for k in same}  # routed as one by one
    assert by_id["c"]["assignee"] is None  # nobody rostered in the other community
    stored = {d["_id"]: d async for d in db["incidents"].find({})}
    assert sorted(stored) == ["a", "b", "c", "single"]
    for incident_id in ("a", "b", "c"):  # each carries its own opened event, written with it
        assert [e["type"].split(".")[-2] for e in stored[incident_id].get(OUTBOX, [])] == ["opened"]
    timers = {j["_id"] async for j in db["jobs"].find({"kind": "incident.escalate"})}
    assert timers == {f"incident.escalate:{i}:1" for i in ("a", "b", "c", "single")}

    again = await opening.open_many(db=db, clock=clock, settings=settings, openings=batch)

    assert [opened for _, opened in again] == [False] * 4
    after: dict[str, Any] = {d["_id"]: d async for d in db["incidents"].find({})}
    assert all(len(after[i].get(OUTBOX, [])) == len(stored[i].get(OUTBOX, [])) for i in after)


async def test_many_steps_ask_for_their_pages_once_in_one_window_with_one_flush_job(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock)
    runtime = platform.runtime("duty")
    db, settings = runtime.database(), runtime.settings
    assert isinstance(settings, DutySettings)
    asks = [grouping.Ask(f"incident-{n}", 0, COMMUNITY, "fever") for n in range(3)]
    asks.append(grouping.Ask("incident-x", 0, OTHER_COMMUNITY, "fever"))

    await grouping.request_many(db=db, clock=clock, settings=settings, asks=asks)
    await grouping.request_many(db=db, clock=clock, settings=settings, asks=[*asks, asks[0]])  # redelivered

    requests = [r async for r in db[grouping.REQUESTS].find({})]
    assert sorted(r["_id"] for r in requests) == sorted(a.id for a in asks)
    windows = [w["_id"] async for w in db[grouping.WINDOWS].find({})]
    assert sorted(windows) == [f"{COMMUNITY}:fever:0", f"{OTHER_COMMUNITY}:fever:0"]
    flushes = [j async for j in db["jobs"].find({"kind": grouping.KIND})]
    assert sorted(j["payload"]["group"] for j in flushes) == sorted(windows)
