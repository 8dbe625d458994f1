"""Daily figures per community and grid add up against the raw check-ins, and roll up the division tree."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.monitored import beijing, clock_at, events_of, open_plan
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY, worker

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 10)
NORMAL = {"method": "visit", "temperature_c": 36.5, "symptoms": [], "health_code": "green"}
PEOPLE = {  # person: (community, grid, measure)
    "p1": (COMMUNITY, "grid-a", "home_health_monitoring"),
    "p2": (COMMUNITY, "grid-a", "home_health_monitoring"),
    "p3": (COMMUNITY, "grid-a", "home_isolation"),
    "p4": (COMMUNITY, "grid-b", "home_health_monitoring"),
    "p5": (OTHER_COMMUNITY, "grid-c", "home_health_monitoring"),
}


async def record(platform: Platform, plan: dict[str, Any], **change: Any) -> dict[str, Any]:
    headers = worker(platform.sandbox.secrets, jurisdiction=plan["community_code"])
    response = await platform.client("monitoring").post(
        f"/v1/plans/{plan['id']}/checkins", json={**NORMAL, **change}, headers=headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def a_day_of_work(platform: Platform) -> None:
    clock = clock_at(TODAY, 9)
    await platform.start("monitoring", clock=clock)
    plans = {}
    for person, (community, grid, measure) in PEOPLE.items():
        plans[person] = await open_plan(
            platform,
            person,
            starts_on=TODAY - timedelta(days=1),
            community=community,
            grid=grid,
            measure=measure,
            clock=clock,
        )
    await record(platform, plans["p1"])
    await record(platform, plans["p3"], temperature_c=38.0)
    first = await record(platform, plans["p4"], temperature_c=37.0)
    await record(platform, plans["p4"], corrects=first["result"]["checkin_id"])
    await record(platform, plans["p5"])
    clock.advance(beijing(TODAY, 20, 0) - clock.now() + timedelta(seconds=1))
    await events_of(platform, "monitoring.checkin.v1", "checkin.missed.v1", at_least=2)
    await record(platform, plans["p2"])  # late: after the cut-off found it missing


async def raw_check_ins(platform: Platform) -> list[dict[str, Any]]:
    headers = platform.sandbox.secrets.headers("county_officer", jurisdiction="330106")
    response = await platform.client("monitoring").get(
        "/v1/checkins", params={"day": TODAY.isoformat(), "limit": 200}, headers=headers
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_the_daily_stats_add_up_against_the_raw_check_ins(platform: Platform) -> None:
    await a_day_of_work(platform)
    county = platform.sandbox.secrets.headers("county_officer", jurisdiction="330106", subject="county-1")
    raw = await raw_check_ins(platform)
    done = sum(1 for c in raw if c["state"] == "recorded")
    missed = sum(1 for c in raw if c["state"] == "missed")
    results = sum(1 + c["corrections"] for c in raw if c["result"])
    late = sum(1 for c in raw if c["result"] and c["result"]["late"])

    async def settled() -> dict[str, Any]:
        response = await platform.client("monitoring").get(
            "/v1/stats/daily", params={"day": TODAY.isoformat()}, headers=county
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        totals = body["totals"]
        assert totals["checkins"]["recorded"] == results
        assert totals["alerts_by_kind"] == {"fever": 1}
        assert totals["plans"]["started"] == 5
        return body

    stats = await eventually(settled)
    totals = stats["totals"]
    assert (done, missed, results, late) == (4, 2, 6, 1)
    assert totals["checkins"] == {
        "expected": done + missed,
        "done": done,
        "missed": missed,
        "pending": 0,
        "recorded": results,
        "late": late,
        "corrected": 1,
        "abnormal": 1,
    }
    assert totals["people_by_measure"] == {"home_health_monitoring": 4, "home_isolation": 1}
    assert totals["closed"] is True
    assert [(c["unit"], c["checkins"]["expected"]) for c in stats["children"]] == [("330106001", 6)]


async def test_the_figures_roll_down_to_communities_and_grids_within_the_jurisdiction(platform: Platform) -> None:
    await a_day_of_work(platform)
    secrets, monitoring = platform.sandbox.secrets, platform.client("monitoring")
    township = secrets.headers("township_officer", jurisdiction="330106001")
    params = {"day": TODAY.isoformat()}

    async def by_community() -> list[tuple[str, int, int]]:
        body = (await monitoring.get("/v1/stats/daily", params=params, headers=township)).json()
        rows = [(c["unit"], c["checkins"]["expected"], c["checkins"]["recorded"]) for c in body["children"]]
        assert rows == [(COMMUNITY, 5, 5), (OTHER_COMMUNITY, 1, 1)]
        return rows

    await eventually(by_community)
    grids = await monitoring.get("/v1/stats/daily", params={**params, "division": COMMUNITY}, headers=township)
    assert [(c["unit"], c["checkins"]["done"], c["checkins"]["missed"]) for c in grids.json()["children"]] == [
        ("grid-a", 2, 2),
        ("grid-b", 1, 0),
    ]
    mine = await monitoring.get("/v1/stats/daily", params=params, headers=worker(secrets, jurisdiction=OTHER_COMMUNITY))
    assert mine.json()["totals"]["checkins"]["expected"] == 1
    beyond = await monitoring.get(
        "/v1/stats/daily", params={**params, "division": "330106"}, headers=worker(secrets, jurisdiction=COMMUNITY)
    )
    assert beyond.status_code == 404


async def test_redelivered_events_are_counted_once(platform: Platform) -> None:
    await a_day_of_work(platform)
    county = platform.sandbox.secrets.headers("county_officer", jurisdiction="330106")
    params = {"day": TODAY.isoformat()}
    stats = platform.client("monitoring")

    async def recorded(expected: int) -> None:
        body = (await stats.get("/v1/stats/daily", params=params, headers=county)).json()
        assert body["totals"]["checkins"]["recorded"] == expected

    await eventually(lambda: recorded(6))
    runner = next(c for c in platform.runtime("monitoring").consumers if c.group.endswith("figures"))
    before = runner.stats.handled
    records = await platform.sandbox.read_topic("monitoring.checkin.v1", at_least=8)
    again = [r for r in records if r.event().type.endswith("checkin.recorded.v1")]
    assert len(again) == 6
    for record in again:
        await platform.sandbox.publish_raw(
            "monitoring.checkin.v1", value=record.value or b"", key=record.key or b"", headers=record.headers
        )

    async def all_seen_again() -> None:
        assert runner.stats.handled >= before + len(again)

    await eventually(all_seen_again)
    await recorded(6)
