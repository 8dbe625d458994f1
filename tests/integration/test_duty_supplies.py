"""Emergency supplies: stock below its minimum, or a lot nearing expiry, raises an alarm and opens an incident."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from gridline.testing import Secrets, eventually

from tests.conftest import Platform
from tests.services.duty.support import COMMUNITY, OTHER_COMMUNITY, admin, clock_at, create_rotation, of_type, officer

pytestmark = pytest.mark.integration


async def create_supply(
    duty: httpx.AsyncClient, secrets: Secrets, *, item: str = "医用口罩", minimum: int = 100
) -> str:
    response = await duty.post(
        "/v1/supplies",
        json={"community_code": COMMUNITY, "item": item, "unit": "个", "minimum": minimum},
        headers=admin(secrets),
    )
    assert response.status_code == 201, response.text
    supply_id: str = response.json()["id"]
    return supply_id


async def move(
    duty: httpx.AsyncClient, secrets: Secrets, supply_id: str, kind: str, quantity: int, **extra: Any
) -> httpx.Response:
    return await duty.post(
        f"/v1/supplies/{supply_id}/movements",
        json={"kind": kind, "quantity": quantity, **extra},
        headers=officer(secrets, "officer-a"),
    )


async def test_stock_falling_below_its_minimum_opens_an_incident_for_whoever_is_on_duty(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    masks = await create_supply(duty, secrets)

    received = await move(duty, secrets, masks, "received", 150, expires_on="2022-06-30")
    still_above = await move(duty, secrets, masks, "issued", 50)
    below = await move(duty, secrets, masks, "issued", 1)
    further_below = await move(duty, secrets, masks, "issued", 9)

    async def incident_opened() -> dict[str, Any]:
        listed = (await duty.get("/v1/incidents", headers=officer(secrets, "officer-a"))).json()["items"]
        assert len(listed) == 1
        found: dict[str, Any] = listed[0]
        return found

    incident = await eventually(incident_opened)
    alarms = of_type(await platform.sandbox.read_topic("duty.supply.v1", at_least=5), "below_minimum")

    assert [r.status_code for r in (received, still_above, below, further_below)] == [201, 201, 201, 201]
    assert (still_above.json()["below_minimum"], below.json()["below_minimum"]) == (False, True)
    assert further_below.json()["quantity"] == 90
    assert [(a.data["quantity"], a.data["minimum"], a.data["item"]) for a in alarms] == [(99, 100, "医用口罩")]
    assert (incident["kind"], incident["source_type"], incident["source_id"]) == (
        "supply_below_minimum",
        "supply",
        masks,
    )
    assert incident["assignee"]["subject"] == "officer-a"
    assert "低于最低储备" in incident["summary"]


async def test_restocking_re_arms_the_alarm_and_a_raised_minimum_can_raise_it(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    suits = await create_supply(duty, secrets, item="防护服", minimum=10)

    await move(duty, secrets, suits, "received", 10)
    await move(duty, secrets, suits, "issued", 1)  # 9: alarm
    await move(duty, secrets, suits, "received", 5)  # 14: re-armed
    raised = await duty.patch(f"/v1/supplies/{suits}", json={"minimum": 20}, headers=admin(secrets))  # alarm

    alarms = of_type(await platform.sandbox.read_topic("duty.supply.v1", at_least=5), "below_minimum")
    assert raised.json()["below_minimum"] is True
    assert [(a.data["quantity"], a.data["minimum"]) for a in alarms] == [(9, 10), (14, 20)]


async def test_a_lot_nearing_expiry_raises_its_warning_once_when_it_enters_the_warning_period(
    platform: Platform,
) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock, supply_expiry_warning_days=30)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    disinfectant = await create_supply(duty, secrets, item="含氯消毒液", minimum=0)
    await move(duty, secrets, disinfectant, "received", 20, expires_on="2021-02-21")  # warning from 22 January
    await move(duty, secrets, disinfectant, "received", 5, expires_on="2021-02-21")  # the same lot again
    await move(duty, secrets, disinfectant, "received", 8, expires_on="2021-12-31")

    clock.advance(timedelta(days=9))
    await _settle()
    early = of_type(await platform.sandbox.read_topic("duty.supply.v1", at_least=3), "expiring")
    clock.advance(timedelta(days=1))

    async def warned() -> list[Any]:
        found = of_type(await platform.sandbox.read_topic("duty.supply.v1", at_least=4), "expiring")
        assert found
        return found

    warnings = await eventually(warned)
    await _settle()

    async def incident_opened() -> dict[str, Any]:
        listed = (await duty.get("/v1/incidents", headers=admin(secrets))).json()["items"]
        assert len(listed) == 1
        found: dict[str, Any] = listed[0]
        return found

    incident = await eventually(incident_opened)
    assert early == []
    assert [(w.data["expires_on"], w.data["quantity"]) for w in warnings] == [("2021-02-21", 25)]
    assert incident["kind"] == "supply_expiring"
    assert len(of_type(await platform.sandbox.read_topic("duty.supply.v1", at_least=4), "expiring")) == 1


async def test_the_ledger_of_movements_is_kept_once_per_movement(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    thermometers = await create_supply(duty, secrets, item="体温计", minimum=2)
    headers = {**officer(secrets, "officer-a"), "Idempotency-Key": "receive-thermometers-1"}

    first = await duty.post(
        f"/v1/supplies/{thermometers}/movements", json={"kind": "received", "quantity": 6}, headers=headers
    )
    retried = await duty.post(
        f"/v1/supplies/{thermometers}/movements", json={"kind": "received", "quantity": 6}, headers=headers
    )
    await move(duty, secrets, thermometers, "issued", 2)
    retried_after_another = await duty.post(
        f"/v1/supplies/{thermometers}/movements", json={"kind": "received", "quantity": 6}, headers=headers
    )
    moved = of_type(await platform.sandbox.read_topic("duty.supply.v1", at_least=2), "stock_moved")
    # The first movement's event delivered again: the ledger keeps one entry for it.
    again = next(
        r for r in await platform.sandbox.read_topic("duty.supply.v1", at_least=2) if r.event().id == moved[0].id
    )
    await platform.sandbox.publish_raw(
        "duty.supply.v1", value=again.value or b"", key=again.key or b"", headers=again.headers
    )
    runner = next(c for c in platform.runtime("duty").consumers if c.group.endswith("duty.stock-ledger"))

    async def all_handled() -> None:
        assert runner.stats.handled == 3

    await eventually(all_handled)
    ledger = (await duty.get(f"/v1/supplies/{thermometers}/movements", headers=admin(secrets))).json()["items"]

    assert (first.json()["quantity"], retried.json()["quantity"], retried_after_another.json()["quantity"]) == (6, 6, 4)
    assert len(moved) == 2
    assert sorted((e["kind"], e["quantity"], e["quantity_after"]) for e in ledger) == [
        ("issued", 2, 4),
        ("received", 6, 6),
    ]


async def test_bad_stock_movements_are_refused_with_a_4xx(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    masks = await create_supply(duty, secrets)

    too_many = await move(duty, secrets, masks, "issued", 1)
    negative = await move(duty, secrets, masks, "received", -5)
    issued_from_a_lot = await move(duty, secrets, masks, "issued", 1, expires_on="2022-01-01")
    twice = await duty.post(
        "/v1/supplies",
        json={"community_code": COMMUNITY, "item": "医用口罩", "unit": "个", "minimum": 1},
        headers=admin(secrets),
    )
    outside = await duty.get(f"/v1/supplies/{masks}/movements", headers=admin(secrets, OTHER_COMMUNITY, "admin-2"))

    assert [r.status_code for r in (too_many, negative, issued_from_a_lot, twice, outside)] == [422, 422, 422, 409, 404]
    assert twice.json()["existing_id"] == masks


async def _settle() -> None:
    await asyncio.sleep(1.5)
