"""Monitoring's HTTP surface: named operations, rights on every route, bad input answered with a 4xx."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Platform
from tests.integration.people import worker

pytestmark = pytest.mark.integration
REQUIRED = {
    "listPlans",
    "getPlan",
    "getTodayWorklist",
    "recordCheckin",
    "listCheckins",
    "issueSelfCheckinLink",
    "selfCheckin",
    "recordVenueEntry",
    "getVenueOccupancy",
    "listAlerts",
    "acknowledgeAlert",
    "resolveAlert",
    "getDailyStats",
}
OPERATIONS = {"getHealth", "getReadiness", "getMetrics", "listDeadLetters", "replayDeadLetter"}
LINK_ROUTES = {"selfCheckin", "getSelfCheckin"}  # residents act through their signed link, not a token


async def operations(platform: Platform) -> list[tuple[str, str, dict[str, Any]]]:
    spec = (await platform.client("monitoring").get("/openapi.json")).json()
    return [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


async def test_every_operation_is_named_and_answers_with_a_schema(platform: Platform) -> None:
    await platform.start("monitoring")
    found = await operations(platform)
    names = {op["operationId"] for _, _, op in found}
    assert names >= REQUIRED
    for path, method, op in found:
        assert re.fullmatch(r"[a-z]+[A-Za-z]*", op["operationId"]), (path, method)
        success = next(v for k, v in op["responses"].items() if k.startswith("2"))
        if op["operationId"] not in OPERATIONS:
            assert "schema" in success["content"]["application/json"], op["operationId"]


async def test_every_route_needs_a_token_with_the_right(platform: Platform) -> None:
    await platform.start("monitoring")
    monitoring, secrets = platform.client("monitoring"), platform.sandbox.secrets
    stranger = secrets.headers("volunteer", jurisdiction="330106")
    for path, method, op in await operations(platform):
        if op["operationId"] in OPERATIONS | LINK_ROUTES:
            continue
        url = re.sub(r"\{[^}]+\}", "x", path).replace("/x/settings", "/330106001001/settings")
        url = url.replace("monitoring-rules/x", "monitoring-rules/330106")
        anonymous = await monitoring.request(method, url, json={})
        forbidden = await monitoring.request(method, url, json={}, headers=stranger)
        assert anonymous.status_code == 401, (op["operationId"], anonymous.text)
        assert forbidden.status_code == 403, (op["operationId"], forbidden.text)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/v1/plans", {"cursor": "%%%not-ours"}),
        ("/v1/plans", {"limit": 100000}),
        ("/v1/plans", {"status": "ended-ish"}),
        ("/v1/checkins", {"day": "2026-13-45"}),
        ("/v1/stats/daily", {"division": "abc"}),
        ("/v1/stats/daily", {"day": "yesterday"}),
        ("/v1/alerts", {"kind": "earthquake"}),
        ("/v1/grids/g1/worklist", {"state": "asleep"}),
        ("/v1/plans/" + "x" * 300, {}),
        ("/v1/communities/12/settings", {}),
    ],
)
async def test_bad_input_is_a_4xx_problem_never_a_500(platform: Platform, url: str, params: dict[str, Any]) -> None:
    await platform.start("monitoring")
    headers = platform.sandbox.secrets.headers("community_admin", jurisdiction="330106")
    response = await platform.client("monitoring").get(url, params=params, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_bad_bodies_are_422_problems(platform: Platform) -> None:
    await platform.start("monitoring")
    monitoring, secrets = platform.client("monitoring"), platform.sandbox.secrets
    admin = secrets.headers("community_admin", jurisdiction="330106")
    cases = [
        ("post", "/v1/venues", {"community_code": "330106001001", "name": "x", "capacity": 0}),
        ("patch", "/v1/communities/330106001001/settings", {"cutoff_time": "25:00"}),
        ("patch", "/v1/communities/330106001001/settings", {"duty_phone": "call me"}),
        ("post", "/v1/alerts/a1/resolve", {"outcome": "handled", "note": "x" * 600}),
        ("post", "/v1/plans/p1/self-checkin-links", {"valid_days": 365}),
    ]
    for method, url, body in cases:
        response = await monitoring.request(method, url, json=body, headers=admin)
        assert response.status_code == 422, (url, response.text)
    not_json = await monitoring.post(
        "/v1/plans/p1/checkins", content=b"{oops", headers={**worker(secrets), "content-type": "application/json"}
    )
    assert not_json.status_code == 422
