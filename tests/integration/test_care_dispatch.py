"""Dispatch suggests the right helpers: skill, community, available now, lowest load, fair on ties."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gridline.testing import Secrets

from tests.conftest import Platform
from tests.integration.care_world import (
    clock_at,
    coordinator,
    helper_body,
    open_request,
    register_helper,
    volunteer,
)
from tests.integration.people import OTHER_COMMUNITY

pytestmark = pytest.mark.integration
SUNDAYS = [{"days": [7], "start": "08:00", "end": "20:00"}]
MONDAY_EVENINGS = [{"days": [1], "start": "18:00", "end": "22:00"}]


async def suggested(care: httpx.AsyncClient, secrets: Secrets, request_id: str) -> list[str]:
    response = await care.get(f"/v1/requests/{request_id}/suggestions", headers=coordinator(secrets))
    assert response.status_code == 200, response.text
    return [s["helper_id"] for s in response.json()["items"]]


async def assign(care: httpx.AsyncClient, secrets: Secrets, request_id: str, helper_id: str) -> dict[str, Any]:
    response = await care.post(
        f"/v1/requests/{request_id}/assign", json={"helper_id": helper_id}, headers=coordinator(secrets)
    )
    assert response.status_code == 200, response.text
    assigned: dict[str, Any] = response.json()
    return assigned


async def test_only_available_helpers_with_the_skill_serving_the_community_are_suggested_least_loaded_first(
    platform: Platform,
) -> None:
    await platform.start("care", clock=clock_at())  # a Monday, 10:00 in Shanghai
    care, secrets = platform.client("care"), platform.sandbox.secrets
    fit = await register_helper(care, secrets, helper_body("合适", skills=["medicine", "shopping"]))
    busy = await register_helper(care, secrets, helper_body("忙碌", skills=["medicine"]))
    await register_helper(care, secrets, helper_body("不会", skills=["repairs"]))
    await register_helper(care, secrets, helper_body("外社区", skills=["medicine"], communities=[OTHER_COMMUNITY]))
    await register_helper(care, secrets, helper_body("周日", skills=["medicine"], windows=SUNDAYS))
    await register_helper(care, secrets, helper_body("晚上", skills=["medicine"], windows=MONDAY_EVENINGS))
    paused = await register_helper(care, secrets, helper_body("请假", skills=["medicine"]))
    leave = {"windows": helper_body("x", skills=[])["windows"], "unavailable_until": "2026-03-03T00:00:00+08:00"}
    response = await care.put(f"/v1/helpers/{paused['id']}/availability", json=leave, headers=coordinator(secrets))
    assert response.status_code == 200, response.text
    assert response.json()["available_now"] is False
    earlier = await open_request(care, secrets, type_="medicine")
    await assign(care, secrets, earlier["id"], busy["id"])

    request = await open_request(care, secrets, type_="medicine")

    assert await suggested(care, secrets, request["id"]) == [fit["id"], busy["id"]]


async def test_ties_go_to_the_helper_waiting_longest_since_an_assignment_then_by_id(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    helpers = [await register_helper(care, secrets, helper_body(f"志愿者{n}", skills=["shopping"])) for n in range(3)]
    by_id = sorted(h["id"] for h in helpers)
    first = await open_request(care, secrets, type_="shopping", priority="normal")

    assert await suggested(care, secrets, first["id"]) == by_id
    await assign(care, secrets, first["id"], by_id[0])
    done = await care.post(f"/v1/requests/{first['id']}/fulfil", json={}, headers=coordinator(secrets))
    assert done.status_code == 200, done.text

    second = await open_request(care, secrets, type_="shopping", priority="normal")
    assert await suggested(care, secrets, second["id"]) == [by_id[1], by_id[2], by_id[0]]  # all at load 0 again


async def test_no_helper_outside_the_requests_community_is_ever_suggested_even_when_none_inside_fits(
    platform: Platform,
) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    await register_helper(care, secrets, helper_body("外社区", skills=["escort"], communities=[OTHER_COMMUNITY]))
    request = await open_request(care, secrets, type_="escort")

    assert await suggested(care, secrets, request["id"]) == []


async def test_where_configured_a_new_request_goes_at_once_to_the_best_helper(platform: Platform) -> None:
    await platform.start("care", clock=clock_at(), auto_assign_divisions=["330106001"])
    care, secrets = platform.client("care"), platform.sandbox.secrets
    helper = await register_helper(care, secrets, helper_body("自动", skills=["medicine"], account="vol-auto"))

    request = await open_request(care, secrets, type_="medicine")
    unmatched = await open_request(care, secrets, type_="repairs")

    assert (request["status"], request["assignee"]["helper_id"]) == ("assigned", helper["id"])
    assert request["history"][-1]["by"] == "dispatch"
    assert (unmatched["status"], unmatched["assignee"]) == ("open", None)
    response = await care.get(f"/v1/helpers/{helper['id']}", headers=coordinator(secrets))
    assert response.json()["load"] == 1
    own = await care.get("/v1/requests", headers=volunteer(secrets, "vol-auto"))
    assert [r["id"] for r in own.json()["items"]] == [request["id"]]
