"""Today's worklist for a grid: who must check in, who has, who has not, who is due a NAT, with counts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from gridline.testing import eventually
from registry.persons.events import REGISTERED, PersonRegistered

from tests.conftest import Platform
from tests.integration.monitored import GRID, clock_at, open_plan, publish
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY, worker

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)
NORMAL = {"method": "visit", "temperature_c": 36.5, "symptoms": [], "health_code": "green"}


async def test_the_worklist_says_who_has_checked_in_who_has_not_and_who_is_due_a_nat(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    monitoring, headers = platform.client("monitoring"), worker(platform.sandbox.secrets)
    await publish(platform, _registered("p1"), key="p1", spec=REGISTERED)
    done = await open_plan(platform, "p1", starts_on=TODAY - timedelta(days=6), clock=clock)  # NAT on day 7: today
    await open_plan(platform, "p2", starts_on=TODAY - timedelta(days=2), clock=clock)
    half = await open_plan(platform, "p3", measure="home_isolation", starts_on=TODAY, clock=clock)
    await monitoring.post(
        f"/v1/plans/{done['id']}/checkins", json={**NORMAL, "nat_result": "negative"}, headers=headers
    )
    await monitoring.post(f"/v1/plans/{half['id']}/checkins", json=NORMAL, headers=headers)

    async def named() -> dict[str, Any]:
        response = await monitoring.get(f"/v1/grids/{GRID}/worklist", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert {i["person_id"]: i["name_masked"] for i in body["items"]}["p1"] == "王*国"
        return body

    worklist = await eventually(named)
    assert worklist["counts"] == {"must_check_in": 3, "done": 1, "not_done": 2, "nat_due": 1}
    items = {i["person_id"]: i for i in worklist["items"]}
    assert (items["p1"]["done"], items["p1"]["nat_due"], items["p1"]["nat_recorded"]) == (True, True, True)
    assert (items["p3"]["slots_done"], items["p3"]["checkins_per_day"], items["p3"]["done"]) == (1, 2, False)
    assert items["p2"]["slots_done"] == 0

    pending = await monitoring.get(f"/v1/grids/{GRID}/worklist", params={"state": "pending"}, headers=headers)
    nat = await monitoring.get(f"/v1/grids/{GRID}/worklist", params={"state": "nat_due"}, headers=headers)
    elsewhere = await monitoring.get(
        f"/v1/grids/{GRID}/worklist", headers=worker(platform.sandbox.secrets, jurisdiction=OTHER_COMMUNITY)
    )
    assert sorted(i["person_id"] for i in pending.json()["items"]) == ["p2", "p3"]
    assert [i["person_id"] for i in nat.json()["items"]] == ["p1"]
    assert elsewhere.json()["items"] == []
    assert elsewhere.json()["counts"]["must_check_in"] == 0


def _registered(person_id: str) -> PersonRegistered:
    return PersonRegistered(
        person_id=person_id,
        version=1,
        community_code=COMMUNITY,
        grid_id=GRID,
        name_masked="王*国",
        document_type="prc_id",
        document_masked="330106********0013",
        phone_masked="139****0001",
        special_groups=[],
        categories=["holiday_returnee"],
        registered_at=clock_at(TODAY, 8).now(),
    )
