"""Venues and their daily hygiene log, compounds' cleaning tasks, and notices with validity dates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from gridline.testing import eventually

from tests.conftest import Platform
from tests.services.duty.support import COMMUNITY, MORNING, OTHER_COMMUNITY, admin, clock_at, officer

pytestmark = pytest.mark.integration

VENUE = {
    "community_code": COMMUNITY,
    "name": "曙光社区老年活动室",
    "kind": "activity_room",
    "capacity": 20,
    "responsible": {"name": "陈主任", "work_phone": "13805719999"},
}


async def test_a_venue_and_each_change_are_announced_for_monitoring_to_check_entries_against(
    platform: Platform,
) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets

    created = await duty.post("/v1/venues", json=VENUE, headers=admin(secrets))
    venue_id = created.json()["id"]
    smaller = await duty.patch(f"/v1/venues/{venue_id}", json={"version": 1, "capacity": 10}, headers=admin(secrets))
    stale = await duty.patch(f"/v1/venues/{venue_id}", json={"version": 1, "active": False}, headers=admin(secrets))
    closed = await duty.patch(f"/v1/venues/{venue_id}", json={"active": False}, headers=admin(secrets))

    records = await platform.sandbox.read_topic("duty.venue.v1", at_least=3)
    assert created.status_code == 201, created.text
    assert (smaller.status_code, stale.status_code, closed.status_code) == (200, 409, 200)
    assert [
        (e.type.split(".")[-2], e.data["capacity"], e.data["active"], e.data["version"])
        for e in (r.event() for r in records)
    ] == [
        ("registered", 20, True, 1),
        ("updated", 10, True, 2),
        ("updated", 10, False, 3),
    ]
    assert {r.key for r in records} == {venue_id.encode()}
    assert records[0].event().data == {
        "venue_id": venue_id,
        "community_code": COMMUNITY,
        "name": "曙光社区老年活动室",
        "kind": "activity_room",
        "capacity": 20,
        "active": True,
        "version": 1,
    }


async def test_disinfection_and_ventilation_are_logged_by_day(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    venue_id = (await duty.post("/v1/venues", json=VENUE, headers=admin(secrets))).json()["id"]
    staff = secrets.headers("venue_staff", jurisdiction=COMMUNITY, subject="staff-1")
    url = f"/v1/venues/{venue_id}/hygiene"

    disinfected = await duty.post(
        url,
        json={
            "at": (MORNING - timedelta(hours=2)).isoformat(),
            "area": "门把手与扶手",
            "agent": "含氯消毒液 500mg/L",
            "by_name": "李保洁",
        },
        headers=staff,
    )
    ventilated = await duty.post(
        url,
        json={
            "kind": "ventilation",
            "at": (MORNING - timedelta(hours=1)).isoformat(),
            "area": "活动大厅",
            "minutes": 30,
            "by_name": "李保洁",
        },
        headers=staff,
    )
    yesterday = await duty.post(
        url,
        json={"at": (MORNING - timedelta(days=1)).isoformat(), "area": "卫生间", "agent": "75%酒精", "by_name": "王"},
        headers=staff,
    )
    future = await duty.post(
        url,
        json={"at": (MORNING + timedelta(hours=1)).isoformat(), "area": "大厅", "agent": "x", "by_name": "王"},
        headers=staff,
    )
    no_agent = await duty.post(url, json={"at": MORNING.isoformat(), "area": "大厅", "by_name": "王"}, headers=staff)
    today = await duty.get(url, params={"day": "2021-01-12"}, headers=staff)

    assert [r.status_code for r in (disinfected, ventilated, yesterday, future, no_agent)] == [201, 201, 201, 422, 422]
    assert sorted((e["kind"], e["area"], e["agent"], e["minutes"]) for e in today.json()["items"]) == [
        ("disinfection", "门把手与扶手", "含氯消毒液 500mg/L", None),
        ("ventilation", "活动大厅", None, 30),
    ]


async def test_a_property_companys_cleaning_task_is_done_once(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    task = await duty.post(
        "/v1/cleaning-tasks",
        json={
            "community_code": COMMUNITY,
            "compound": "曙光小区",
            "area": "电梯轿厢",
            "company": "绿城物业",
            "due_on": "2021-01-12",
        },
        headers=admin(secrets),
    )
    done = {"done_at": MORNING.isoformat(), "by_name": "物业保洁", "agent": "含氯消毒液"}

    first = await duty.post(f"/v1/cleaning-tasks/{task.json()['id']}/done", json=done, headers=admin(secrets))
    again = await duty.post(f"/v1/cleaning-tasks/{task.json()['id']}/done", json=done, headers=admin(secrets))
    open_tasks = await duty.get("/v1/cleaning-tasks", params={"status": "open"}, headers=admin(secrets))
    done_tasks = await duty.get("/v1/cleaning-tasks", params={"status": "done"}, headers=admin(secrets))

    assert (task.status_code, first.status_code, again.status_code) == (201, 200, 409)
    assert (open_tasks.json()["items"], len(done_tasks.json()["items"])) == ([], 1)


async def test_notices_are_public_while_in_force_and_expire_by_themselves(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets

    async def publish_notice(
        title: str, starts: timedelta, ends: timedelta, community: str = COMMUNITY
    ) -> dict[str, Any]:
        response = await duty.post(
            "/v1/notices",
            json={
                "community_code": community,
                "kind": "stay_put",
                "title": title,
                "body": "非必要不离开本地，减少聚集。",
                "valid_from": (MORNING + starts).isoformat(),
                "valid_until": (MORNING + ends).isoformat(),
            },
            headers=admin(secrets, "330106", "county-1"),
        )
        assert response.status_code == 201, response.text
        notice: dict[str, Any] = response.json()
        return notice

    await publish_notice("就地过年倡议", timedelta(hours=-1), timedelta(hours=2))
    await publish_notice("明日起错峰返岗", timedelta(days=1), timedelta(days=3))
    await publish_notice("隔壁社区通知", timedelta(hours=-1), timedelta(days=3), OTHER_COMMUNITY)
    withdrawn = await publish_notice("已撤回", timedelta(hours=-1), timedelta(days=3))
    await duty.post(f"/v1/notices/{withdrawn['id']}/withdraw", json={}, headers=admin(secrets))

    async def titles() -> list[str]:
        listed = await duty.get("/v1/public/notices", params={"community_code": COMMUNITY})
        return [n["title"] for n in listed.json()["items"]]

    now = await titles()
    board = await duty.get("/v1/public/board", params={"community_code": COMMUNITY})
    clock.advance(timedelta(hours=3))

    async def expired() -> None:
        stored = await platform.sandbox.database("duty")["notices"].find_one({"title": "就地过年倡议"})
        assert (stored or {}).get("status") == "expired"

    await eventually(expired)
    clock.advance(timedelta(days=1))
    tomorrow = await titles()
    bad = await duty.post(
        "/v1/notices",
        json={
            "community_code": COMMUNITY,
            "kind": "other",
            "title": "x",
            "body": "y",
            "valid_from": MORNING.isoformat(),
            "valid_until": (MORNING - timedelta(days=1)).isoformat(),
        },
        headers=admin(secrets),
    )
    by_officer = await duty.post("/v1/notices", json={}, headers=officer(secrets, "o"))

    assert now == ["就地过年倡议"]
    assert [n["title"] for n in board.json()["notices"]] == ["就地过年倡议"]
    assert tomorrow == ["明日起错峰返岗"]
    assert (bad.status_code, by_officer.status_code) == (422, 403)
