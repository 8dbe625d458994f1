"""Oversized input is refused with a 422 problem naming the field, before any work: never a 500, never stored.

The bounds come from `gridline.http.bounds` and the models' own limits, and the OpenAPI documents show them
(`tests/contracts/test_spectral.py`). A megabyte of text still fits the service-wide body limit (1 MiB), so it
reaches validation; ten thousand list entries are far past any list a request may hold.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, admin, create_divisions, create_grid, returnee, worker
from tests.services.duty.support import admin as duty_admin

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
MEGABYTE_OF_TEXT = "字" * 330_000  # three bytes each in UTF-8: just under 1 MiB of JSON
TEN_THOUSAND = [f"楼{i}" for i in range(10_000)]


def refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["status"] == 422
    assert field in {e["path"] for e in problem["errors"]}, problem["errors"]


async def test_a_grid_covering_ten_thousand_buildings_is_a_422_naming_covers(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    await create_divisions(registry, secrets)
    body = {"community_code": COMMUNITY, "name": "第9网格", "manager_name": "张网格", "manager_phone": "13805710009"}

    response = await registry.post("/v1/grids", json={**body, "covers": TEN_THOUSAND}, headers=admin(secrets))

    refused(response, "covers")
    listed = await registry.get("/v1/grids", params={"community_code": COMMUNITY}, headers=admin(secrets))
    assert listed.json()["items"] == []


async def test_a_person_named_with_a_megabyte_of_text_is_a_422_naming_name(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)

    response = await registry.post(
        "/v1/persons", json=returnee(grid_id, name=MEGABYTE_OF_TEXT), headers=worker(secrets)
    )

    refused(response, "name")


async def test_an_instant_of_a_megabyte_of_fraction_digits_is_a_422_not_a_time(platform: Platform) -> None:
    # Pydantic reads any number of fractional-second digits; the bound stops a megabyte of zeros being parsed.
    await platform.start("duty")
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    start = datetime.now(UTC)
    body = {
        "community_code": COMMUNITY,
        "kind": "stay_put",
        "title": "就地过年倡议",
        "body": "非必要不离开本地，减少聚集。",
        "valid_from": start.strftime("%Y-%m-%dT%H:%M:%S.") + "0" * 1_000_000 + "+00:00",
        "valid_until": (start + timedelta(days=1)).isoformat(),
    }

    response = await duty.post("/v1/notices", json=body, headers=duty_admin(secrets, "330106", "county-1"))

    refused(response, "valid_from")


async def test_a_megabyte_notice_and_ten_thousand_shifts_are_422s_naming_the_field(
    platform: Platform,
) -> None:
    await platform.start("duty")
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    start = datetime.now(UTC)
    body = {
        "community_code": COMMUNITY,
        "kind": "stay_put",
        "title": "就地过年倡议",
        "body": MEGABYTE_OF_TEXT,
        "valid_from": start.isoformat(),
        "valid_until": (start + timedelta(days=1)).isoformat(),
    }

    text = await duty.post("/v1/notices", json=body, headers=duty_admin(secrets, "330106", "county-1"))
    rotation = await duty.post(
        "/v1/rotations",
        json={"community_code": COMMUNITY, "name": "春节值班", "shift_starts": ["08:00"] * 10_000},
        headers=duty_admin(secrets, "330106", "county-1"),
    )

    refused(text, "body")
    refused(rotation, "shift_starts")
