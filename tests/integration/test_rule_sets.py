"""Rules are data: a new county version takes effect and re-classifies the people it governs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.people import COUNTY, create_grid, returnee, worker

pytestmark = pytest.mark.integration


def county_rules(version: int) -> dict[str, Any]:
    return {
        "id": "xihu-strict",
        "version": version,
        "scope": COUNTY,
        "effective_from": str(date.today()),
        "rules": [
            {
                "id": "returnee-isolation",
                "description": "返乡人员：7天居家隔离",
                "when": {"categories": ["holiday_returnee"], "max_days_since_arrival": 7},
                "stages": [{"measure": "home_isolation", "duration_days": 7}],
                "nat_days": [1, 7],
            }
        ],
    }


async def test_a_new_county_rule_set_reclassifies_its_people_and_explains_why(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    officer = secrets.headers("county_officer", jurisdiction=COUNTY)
    grid_id = await create_grid(registry, secrets)
    person = (await registry.post("/v1/persons", json=returnee(grid_id), headers=worker(secrets))).json()
    assert person["classification"]["measure"] == "home_health_monitoring"

    stored = await registry.put(f"/v1/rule-sets/{COUNTY}", json=county_rules(1), headers=officer)
    assert stored.status_code == 200, stored.text

    async def isolated() -> dict[str, Any]:
        now: dict[str, Any] = (await registry.get(f"/v1/persons/{person['id']}", headers=worker(secrets))).json()
        assert now["classification"]["measure"] == "home_isolation"
        return now

    now = await eventually(isolated)
    assert (now["classification"]["rule_set_id"], now["classification"]["rule_id"]) == (
        "xihu-strict",
        "returnee-isolation",
    )
    in_force = await registry.get(f"/v1/rule-sets/{COUNTY}", headers=worker(secrets))
    assert in_force.json()["id"] == "xihu-strict"
    province = await registry.get("/v1/rule-sets/33", headers=worker(secrets))
    assert province.json()["id"] == "zj-default"


async def test_rule_set_versions_only_move_forward_and_stay_in_scope(platform: Platform) -> None:
    await platform.start("registry")
    registry, secrets = platform.client("registry"), platform.sandbox.secrets
    officer = secrets.headers("county_officer", jurisdiction=COUNTY)

    first = await registry.put(f"/v1/rule-sets/{COUNTY}", json=county_rules(2), headers=officer)
    older = await registry.put(f"/v1/rule-sets/{COUNTY}", json=county_rules(1), headers=officer)
    other_county = await registry.put(
        "/v1/rule-sets/330108", json={**county_rules(1), "scope": "330108"}, headers=officer
    )
    mismatched = await registry.put("/v1/rule-sets/330108", json=county_rules(3), headers=officer)
    empty = await registry.put(f"/v1/rule-sets/{COUNTY}", json={**county_rules(4), "rules": []}, headers=officer)

    assert first.status_code == 200
    assert older.status_code == 409
    assert older.json()["latest_version"] == 2
    assert other_county.status_code == 404
    assert mismatched.status_code == 422
    assert empty.status_code == 422
