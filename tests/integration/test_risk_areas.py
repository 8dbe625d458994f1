"""Declaring a risk area re-classifies exactly the people who came from it; lifting it undoes that."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.people import create_grid, prc_id, returnee, worker

pytestmark = pytest.mark.integration


def arrival(grid_id: str, sequence: int, origin: str, days_ago: int) -> dict[str, Any]:
    episode = {
        "category": "non_local_arrival",
        "origin_division_code": origin,
        "arrival_date": str(date.today() - timedelta(days=days_ago)),
    }
    return returnee(grid_id, number=prc_id(sequence=sequence), episodes=[episode])


async def register_three(platform: Platform) -> dict[str, str]:
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    grid_id = await create_grid(registry, secrets)
    people = {
        "from_the_area": arrival(grid_id, 21, "420106001", days_ago=3),
        "from_next_county": arrival(grid_id, 23, "420111", days_ago=3),
        "came_long_ago": arrival(grid_id, 25, "420106", days_ago=40),
    }
    ids = {}
    for name, body in people.items():
        response = await registry.post("/v1/persons", json=body, headers=worker(secrets))
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    return ids


async def measures(platform: Platform, ids: dict[str, str]) -> dict[str, tuple[str, int]]:
    found = {}
    for name, person_id in ids.items():
        person = (
            await platform.client("registry").get(f"/v1/persons/{person_id}", headers=worker(platform.sandbox.secrets))
        ).json()
        found[name] = (person["classification"]["measure"], person["version"])
    return found


async def test_declaring_a_high_risk_area_reclassifies_only_those_who_came_from_it(platform: Platform) -> None:
    await platform.start("registry")
    ids = await register_three(platform)
    admin = platform.sandbox.secrets.headers("platform_admin", jurisdiction="33")
    before = await measures(platform, ids)
    assert before == {
        "from_the_area": ("daily_health_monitoring", 1),
        "from_next_county": ("daily_health_monitoring", 1),
        "came_long_ago": ("none", 1),
    }

    declared = await platform.client("registry").post(
        "/v1/risk-areas", json={"division_code": "420106", "level": "high", "reason": "本土聚集性疫情"}, headers=admin
    )
    assert declared.status_code == 201, declared.text

    async def isolated() -> None:
        assert await measures(platform, ids) == {
            "from_the_area": ("centralised_isolation", 2),
            "from_next_county": ("daily_health_monitoring", 1),
            "came_long_ago": ("none", 1),
        }

    await eventually(isolated)
    records = await platform.sandbox.read_topic("registry.person.v1", at_least=7)
    classified = [r.event() for r in records if r.event().type.endswith("classified.v1")]
    # Records of different people sit on different partitions, so select by version, not by position.
    reclassified = [e.data for e in classified if e.data["version"] > 1]
    assert [d["person_id"] for d in reclassified] == [ids["from_the_area"]]
    assert reclassified[0]["rule_id"] == "high-risk-origin"
    assert reclassified[0]["inputs"]["origin_risk"] == "high"

    lifted = await platform.client("registry").post(
        f"/v1/risk-areas/{declared.json()['id']}/lift", json={}, headers=admin
    )
    assert lifted.status_code == 200

    async def back_to_daily_monitoring() -> None:
        assert (await measures(platform, ids))["from_the_area"] == ("daily_health_monitoring", 3)

    await eventually(back_to_daily_monitoring)
    again = await platform.client("registry").post(
        f"/v1/risk-areas/{declared.json()['id']}/lift", json={}, headers=admin
    )
    assert again.status_code == 409


async def test_a_medium_risk_township_means_home_isolation(platform: Platform) -> None:
    await platform.start("registry")
    ids = await register_three(platform)
    admin = platform.sandbox.secrets.headers("platform_admin", jurisdiction="33")

    await platform.client("registry").post(
        "/v1/risk-areas", json={"division_code": "420106001", "level": "medium"}, headers=admin
    )

    async def home_isolated() -> None:
        assert (await measures(platform, ids))["from_the_area"] == ("home_isolation", 2)

    await eventually(home_isolated)
    assert (await measures(platform, ids))["from_next_county"] == ("daily_health_monitoring", 1)


async def test_risk_area_declarations_are_checked(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    county_officer = secrets.headers("county_officer", jurisdiction="330106")

    unknown = await registry.post(
        "/v1/risk-areas",
        json={"division_code": "339999", "level": "high"},
        headers=secrets.headers("platform_admin", jurisdiction="33"),
    )
    elsewhere = await registry.post(
        "/v1/risk-areas", json={"division_code": "420106", "level": "high"}, headers=county_officer
    )
    own = await registry.post(
        "/v1/risk-areas", json={"division_code": "330106001", "level": "medium"}, headers=county_officer
    )
    worker_try = await registry.post(
        "/v1/risk-areas", json={"division_code": "330106", "level": "high"}, headers=worker(secrets)
    )

    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["path"] == "division_code"
    assert elsewhere.status_code == 404
    assert own.status_code == 201
    assert worker_try.status_code == 403
    listed = await registry.get("/v1/risk-areas", headers=worker(secrets))
    assert [a["division_code"] for a in listed.json()["items"]] == ["330106001"]
