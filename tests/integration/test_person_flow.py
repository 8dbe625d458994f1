"""The first flow, end to end over HTTP and real Kafka: registered → classified → a monitoring plan."""

from __future__ import annotations

from typing import Any

import pytest
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY, create_grid, prc_id, returnee, worker

pytestmark = pytest.mark.integration


async def test_registered_returnee_gets_a_home_monitoring_plan(platform: Platform) -> None:
    await platform.start("registry", "monitoring")
    registry, monitoring = platform.client("registry"), platform.client("monitoring")
    secrets = platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)

    response = await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))

    assert response.status_code == 201, response.text
    person = response.json()
    assert person["document_number"] == "330106********" + prc_id()[-4:]
    assert person["phone"] == "139****0001"
    assert person["classification"]["measure"] == "home_health_monitoring"
    assert person["classification"]["rule_id"] == "returnee-14"

    async def plan_opened() -> dict[str, Any]:
        plans = await monitoring.get("/v1/plans", params={"person_id": person["id"]}, headers=worker(secrets))
        assert plans.status_code == 200, plans.text
        assert len(plans.json()["items"]) == 1
        plan: dict[str, Any] = plans.json()["items"][0]
        return plan

    plan = await eventually(plan_opened)
    assert plan["measure"] == "home_health_monitoring"
    assert plan["status"] == "active"
    assert len(plan["nat_dates"]) == 2
    fetched = await monitoring.get(f"/v1/plans/{plan['id']}", headers=worker(secrets))
    assert fetched.json()["person_id"] == person["id"]


async def test_events_are_cloudevents_without_plaintext_identifiers(platform: Platform) -> None:
    await platform.start("registry", "monitoring")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    body = returnee(grid_id)
    person = (await registry.post("/v1/persons", json=body, headers=worker(secrets))).json()

    records = await platform.sandbox.read_topic("registry.person.v1", at_least=2)
    plans = await platform.sandbox.read_topic("monitoring.plan.v1", at_least=1)

    types = [r.event().type for r in records]
    assert types == ["gridline.registry.person.registered.v1", "gridline.registry.person.classified.v1"]
    for record in records:
        assert record.key == person["id"].encode()
        assert record.header("ce_partitionkey") == person["id"]
        assert record.header("content-type") == "application/json"
        assert body["document"]["number"].encode() not in (record.value or b"")
        assert body["phone"].encode() not in (record.value or b"")
    classified = records[1].event()
    started = plans[0].event()
    assert started.causationid == classified.id
    # One trace runs from the HTTP request through the event into monitoring's handler and its event.
    assert classified.traceparent
    assert started.traceparent
    assert classified.traceparent.split("-")[1] == started.traceparent.split("-")[1]


async def test_stored_person_holds_no_plaintext_identifiers(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    body = returnee(grid_id)
    await registry.post("/v1/persons", json=body, headers=worker(secrets))

    stored = await platform.sandbox.database("registry")["persons"].find_one({})

    assert stored is not None
    text = repr(stored)
    assert body["document"]["number"] not in text
    assert body["phone"] not in text
    assert set(stored["document"]["number"]) == {"kid", "nonce", "ct"}


async def test_special_group_member_reaches_care_and_grid_reaches_duty_board(platform: Platform) -> None:
    await platform.start("registry", "care", "duty")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    body = returnee(grid_id, special_groups=["elderly_in_difficulty"], episodes=[])
    person = (await registry.post("/v1/persons", json=body, headers=worker(secrets))).json()
    social_worker = secrets.headers("social_worker", jurisdiction=COMMUNITY)

    async def in_care() -> None:
        response = await platform.client("care").get(f"/v1/subjects/{person['id']}", headers=social_worker)
        assert response.status_code == 200, response.text
        assert response.json()["special_groups"] == ["elderly_in_difficulty"]
        assert response.json()["name_masked"] == "王*国"

    async def on_board() -> None:
        response = await platform.client("duty").get("/v1/public/grids", params={"community_code": COMMUNITY})
        assert [g["grid_id"] for g in response.json()["items"]] == [grid_id]
        # The manager published no work phone; the private one is never on the board, not even masked.
        assert response.json()["items"][0]["manager_work_phone"] is None
        assert "0001" not in response.text

    await eventually(in_care)
    await eventually(on_board)


async def test_a_transfer_moves_the_open_plan_to_the_new_community(platform: Platform) -> None:
    await platform.start("registry", "monitoring")
    registry, monitoring, secrets = platform.client("registry"), platform.client("monitoring"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    other_grid = await create_grid(registry, secrets, community=OTHER_COMMUNITY)
    person = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()
    other_worker = worker(secrets, jurisdiction=OTHER_COMMUNITY, subject="worker-2")

    async def plans_seen_by(headers: dict[str, str]) -> int:
        response = await monitoring.get("/v1/plans", params={"person_id": person["id"]}, headers=headers)
        return len(response.json()["items"])

    async def opened() -> None:
        assert await plans_seen_by(worker(secrets)) == 1

    await eventually(opened)
    await registry.post(
        f"/v1/persons/{person['id']}/transfer",
        headers=worker(secrets),
        json={"community_code": OTHER_COMMUNITY, "grid_id": other_grid, "reason": "搬家"},
    )

    async def moved() -> None:
        assert await plans_seen_by(other_worker) == 1
        assert await plans_seen_by(worker(secrets)) == 0

    await eventually(moved)
