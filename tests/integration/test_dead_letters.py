"""A message that cannot be handled goes to the dead-letter topic, and the next one is still handled."""

from __future__ import annotations

import pytest
from gridline.clock import SystemClock
from gridline.mongo import AutoReconnect
from gridline.outbox import make_event
from gridline.testing import eventually
from registry.persons.events import CLASSIFIED

from tests.conftest import Platform
from tests.integration.people import worker
from tests.integration.test_redelivery import classification

pytestmark = pytest.mark.integration


async def test_malformed_and_schema_invalid_messages_are_dead_lettered_and_the_partition_moves_on(
    platform: Platform,
) -> None:
    await platform.start("monitoring")
    sandbox = platform.sandbox
    good = make_event(CLASSIFIED, source="/r", key="same-key", data=classification("p-good"), clock=SystemClock())
    key, value, headers = good.to_record()
    ce_headers = [(k, v) for k, v in headers if k != "ce_id"] + [("ce_id", b"bad-1")]
    schema_invalid = b'{"person_id": "p-bad", "measure": 42}'

    # All on one key, so all on one partition, in this order: the good one comes last.
    await sandbox.publish_raw("registry.person.v1", value=b"{not json", key=key, headers=ce_headers)
    await sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=[])
    await sandbox.publish_raw("registry.person.v1", value=schema_invalid, key=key, headers=ce_headers)
    await sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=headers)

    async def good_one_handled() -> None:
        plans = await platform.client("monitoring").get("/v1/plans", headers=worker(sandbox.secrets))
        assert [p["person_id"] for p in plans.json()["items"]] == ["p-good"]

    await eventually(good_one_handled)
    letters = await sandbox.read_topic("monitoring.dlq", at_least=3)
    assert len(letters) == 3
    reasons = [letter.header("dlq_reason") or "" for letter in letters]
    assert reasons[0].startswith("envelope: value is not JSON")
    assert reasons[1].startswith("envelope: missing CloudEvents headers")
    assert reasons[2].startswith("schema: ")
    assert letters[2].value == schema_invalid  # the original record, untouched
    assert letters[2].key == key
    assert letters[0].header("dlq_source_topic") == f"{sandbox.prefix}registry.person.v1"
    offsets = [int(letter.header("dlq_source_offset") or -1) for letter in letters]
    assert offsets == sorted(offsets)
    assert len(set(offsets)) == 3


async def test_dead_letters_are_listed_for_operators_and_a_replay_that_fails_again_says_so(
    platform: Platform,
) -> None:
    await platform.start("monitoring")
    sandbox = platform.sandbox
    await sandbox.publish_raw(
        "registry.person.v1",
        value=b'{"x": 1}',
        key=b"k",
        headers=[
            ("ce_specversion", b"1.0"),
            ("ce_id", b"i1"),
            ("ce_source", b"/r"),
            ("ce_type", CLASSIFIED.type.encode()),
        ],
    )
    admin = sandbox.secrets.headers("platform_admin", jurisdiction="33")

    async def listed() -> list[dict[str, object]]:
        response = await platform.client("monitoring").get("/v1/dead-letters", headers=admin)
        assert response.status_code == 200
        assert len(response.json()["items"]) == 1
        items: list[dict[str, object]] = response.json()["items"]
        return items

    letter = (await eventually(listed))[0]
    assert letter["event_id"] == "i1"
    replay = await platform.client("monitoring").post(f"/v1/dead-letters/{letter['id']}/replay", headers=admin)
    assert replay.status_code == 409
    worker_try = await platform.client("monitoring").get("/v1/dead-letters", headers=worker(sandbox.secrets))
    assert worker_try.status_code == 403


async def test_a_handler_that_fails_transiently_is_retried_not_dead_lettered(platform: Platform) -> None:
    await platform.start("monitoring")
    runner = platform.runtime("monitoring").consumers[0]
    route = runner.find_route(CLASSIFIED.type)
    assert route is not None
    failures = {"left": 2}
    real = route.handle

    async def flaky(ctx, event, data):  # type: ignore[no-untyped-def]
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("database briefly unreachable")
        await real(ctx, event, data)

    runner._routes[CLASSIFIED.type] = type(route)(route.topic, route.type, route.model, flaky)
    event = make_event(CLASSIFIED, source="/r", key="p-flaky", data=classification("p-flaky"), clock=SystemClock())
    key, value, headers = event.to_record()
    await platform.sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=headers)

    async def handled() -> None:
        assert runner.stats.handled == 1

    await eventually(handled)
    assert runner.stats.dead_lettered == 0
    assert failures["left"] == 0


async def test_a_database_outage_longer_than_the_retries_is_waited_out_not_dead_lettered(platform: Platform) -> None:
    await platform.start("monitoring", consumer_max_attempts=2)
    runner = platform.runtime("monitoring").consumers[0]
    route = runner.find_route(CLASSIFIED.type)
    assert route is not None
    outage = {"failures_left": 5}  # more than the two attempts a bad message gets
    real = route.handle

    async def database_down(ctx, event, data):  # type: ignore[no-untyped-def]
        if outage["failures_left"]:
            outage["failures_left"] -= 1
            raise AutoReconnect("connection refused")
        await real(ctx, event, data)

    runner._routes[CLASSIFIED.type] = type(route)(route.topic, route.type, route.model, database_down)
    event = make_event(CLASSIFIED, source="/r", key="p-outage", data=classification("p-outage"), clock=SystemClock())
    key, value, headers = event.to_record()
    await platform.sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=headers)

    async def handled() -> None:
        assert runner.stats.handled == 1

    await eventually(handled, timeout=60)
    assert runner.stats.dead_lettered == 0
    assert outage["failures_left"] == 0
