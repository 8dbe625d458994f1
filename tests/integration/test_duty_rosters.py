"""Rosters: who is on duty across shift boundaries, overrides and swaps; gaps reported ahead; the duty phone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gridline.testing import Secrets, eventually
from registry.grids.events import UPDATED as GRID_UPDATED
from registry.grids.events import GridCreated, GridUpdated

from tests.conftest import Platform
from tests.services.duty.support import (
    COMMUNITY,
    OTHER_COMMUNITY,
    admin,
    clock_at,
    create_rotation,
    crew,
    local,
    member,
    of_type,
    officer,
    publish,
    publish_grid,
)

pytestmark = pytest.mark.integration


async def on_duty(duty: httpx.AsyncClient, secrets: Secrets, at: str, **params: str) -> dict[str, Any]:
    query = {"community_code": COMMUNITY, "at": local(at).isoformat(), **params}
    response = await duty.get("/v1/on-duty", params=query, headers=officer(secrets, "someone"))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def holders(answer: dict[str, Any]) -> tuple[str | None, str | None]:
    return (
        answer["duty_officer"]["subject"] if answer["duty_officer"] else None,
        answer["leader"]["subject"] if answer["leader"] else None,
    )


async def test_who_is_on_duty_follows_the_rotation_across_shift_boundaries_in_shanghai_time(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)

    answers = {
        at: holders(await on_duty(duty, secrets, at))
        for at in (
            "2021-01-11T07:59:59",
            "2021-01-11T08:00:00",
            "2021-01-11T19:59:59",
            "2021-01-11T20:00:00",
            "2021-01-12T07:59:59",
            "2021-01-12T08:00:00",
        )
    }
    # 08:00 in Shanghai is midnight UTC: the same instant asked in UTC gets the same answer.
    in_utc = await duty.get(
        "/v1/on-duty", params={"community_code": COMMUNITY, "at": "2021-01-12T00:00:00Z"}, headers=officer(secrets, "x")
    )

    assert answers == {
        "2021-01-11T07:59:59": (None, None),
        "2021-01-11T08:00:00": ("officer-a", "leader-a"),
        "2021-01-11T19:59:59": ("officer-a", "leader-a"),
        "2021-01-11T20:00:00": ("officer-b", "leader-b"),
        "2021-01-12T07:59:59": ("officer-b", "leader-b"),
        "2021-01-12T08:00:00": ("officer-a", "leader-a"),
    }
    assert holders(in_utc.json()) == ("officer-a", "leader-a")
    assert in_utc.json()["shift"]["starts_at"].startswith("2021-01-12T00:00:00")


async def test_an_override_and_an_approved_swap_decide_who_is_on_duty(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    rotation = await create_rotation(duty, secrets)
    night = f"{rotation['id']}:3"  # 12 January 20:00 - 13 January 08:00, officer-b

    by_stranger = await duty.post(
        "/v1/swaps",
        json={"shift_id": night, "role": "duty_officer", "counterpart": member("officer-c")},
        headers=officer(secrets, "officer-a"),
    )
    requested = await duty.post(
        "/v1/swaps",
        json={"shift_id": night, "role": "duty_officer", "counterpart": member("officer-c"), "reason": "家中有事"},
        headers=officer(secrets, "officer-b"),
    )
    swap_id = requested.json()["id"]
    approved_too_early = await duty.post(f"/v1/swaps/{swap_id}/approve", json={}, headers=admin(secrets))
    accepted_by_other = await duty.post(f"/v1/swaps/{swap_id}/accept", json={}, headers=officer(secrets, "officer-a"))
    before = holders(await on_duty(duty, secrets, "2021-01-12T21:00"))
    accepted = await duty.post(f"/v1/swaps/{swap_id}/accept", json={}, headers=officer(secrets, "officer-c"))
    approved = await duty.post(f"/v1/swaps/{swap_id}/approve", json={}, headers=admin(secrets))
    after_swap = await on_duty(duty, secrets, "2021-01-12T21:00")
    override = await duty.post(
        "/v1/overrides",
        json={
            "community_code": COMMUNITY,
            "starts_at": local("2021-01-12T22:00").isoformat(),
            "ends_at": local("2021-01-12T23:00").isoformat(),
            "role": "duty_officer",
            "member": member("officer-d"),
            "reason": "临时顶岗",
        },
        headers=admin(secrets),
    )

    assert by_stranger.status_code == 422  # officer-a does not hold that shift
    assert requested.status_code == 201, requested.text
    assert approved_too_early.status_code == 409
    assert accepted_by_other.status_code == 404
    assert before == ("officer-b", "leader-b")
    assert (accepted.json()["status"], approved.json()["status"], approved.json()["in_force"]) == (
        "accepted",
        "approved",
        True,
    )
    assert holders(after_swap) == ("officer-c", "leader-b")
    assert after_swap["sources"] == {"duty_officer": "swap", "leader": "rotation"}
    assert override.status_code == 201, override.text
    assert holders(await on_duty(duty, secrets, "2021-01-12T22:30")) == ("officer-d", "leader-b")
    assert holders(await on_duty(duty, secrets, "2021-01-12T23:00")) == ("officer-c", "leader-b")
    changed = of_type(await platform.sandbox.read_topic("duty.roster.v1", at_least=2), "changed")
    assert sorted((e.data["change_kind"], e.data["duty_officer"]) for e in changed) == [
        ("override", "officer-d"),
        ("swap", "officer-c"),
    ]


async def test_a_grid_with_its_own_roster_is_answered_from_it(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await publish_grid(platform.sandbox, "grid-1")
    await create_rotation(duty, secrets)

    async def grid_known() -> None:
        created = await duty.post(
            "/v1/rotations",
            json={
                "community_code": COMMUNITY,
                "grid_id": "grid-1",
                "name": "网格值守",
                "kind": "weekly",
                "starts_on": "2021-01-11",
                "shift_starts": ["08:00"],
                "crews": [crew("grid-worker", None)],
            },
            headers=admin(secrets),
        )
        assert created.status_code == 201, created.text

    await eventually(grid_known)
    by_grid = await duty.get(
        "/v1/on-duty",
        params={"grid_id": "grid-1", "at": local("2021-01-12T09:00").isoformat()},
        headers=secrets.headers("grid_worker", jurisdiction="grid:grid-1", subject="grid-worker"),
    )
    other_grid = await duty.get(
        "/v1/on-duty", params={"grid_id": "grid-1", "community_code": OTHER_COMMUNITY}, headers=admin(secrets, "330106")
    )

    assert by_grid.status_code == 200, by_grid.text
    assert (by_grid.json()["community_code"], holders(by_grid.json())) == (COMMUNITY, ("grid-worker", None))
    assert other_grid.status_code == 404


async def test_a_gap_ahead_is_reported_once_however_often_it_is_found(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    # Nobody leads the night shifts, and the rotation ends on the 13th.
    await create_rotation(
        duty, secrets, crews=[crew("officer-a", "leader-a"), crew("officer-b", None)], ends_on="2021-01-13"
    )

    async def gaps_reported() -> list[Any]:
        found = of_type(await platform.sandbox.read_topic("duty.roster.v1", at_least=3), "gap_detected")
        assert len(found) >= 3
        return found

    first = await gaps_reported()
    # Another change scans again: the same gaps are found and not reported again.
    await duty.post(
        "/v1/overrides",
        json={
            "community_code": COMMUNITY,
            "starts_at": local("2021-01-12T12:00").isoformat(),
            "ends_at": local("2021-01-12T13:00").isoformat(),
            "role": "duty_officer",
            "member": member("officer-z"),
        },
        headers=admin(secrets),
    )
    again = await eventually(gaps_reported)
    listed = await duty.get("/v1/roster-gaps", params={"community_code": COMMUNITY}, headers=admin(secrets))

    # At 10:00 on the 12th, the night before is past; the last night runs into the end of the rotation.
    assert sorted((e.data["role"], e.data["starts_at"], e.data["ends_at"]) for e in first) == [
        ("duty_officer", "2021-01-14T00:00:00Z", "2021-01-19T16:00:00Z"),
        ("leader", "2021-01-12T12:00:00Z", "2021-01-13T00:00:00Z"),
        ("leader", "2021-01-13T12:00:00Z", "2021-01-19T16:00:00Z"),
    ]
    assert len(again) == len(first)
    assert len({e.id for e in again}) == len(again)
    assert len(listed.json()["items"]) == len(first)


async def test_the_duty_phone_is_published_in_full_and_shown_on_the_public_board(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    await publish_grid(platform.sandbox, "grid-1", work_phone="0571-87001234")

    set_phone = await duty.put(
        f"/v1/duty-desks/{COMMUNITY}", json={"duty_phone": "0571-8700 9999"}, headers=admin(secrets)
    )
    bad_phone = await duty.put(f"/v1/duty-desks/{COMMUNITY}", json={"duty_phone": "hello"}, headers=admin(secrets))
    elsewhere = await duty.put(
        f"/v1/duty-desks/{OTHER_COMMUNITY}", json={"duty_phone": "12345"}, headers=admin(secrets)
    )

    async def board_complete() -> dict[str, Any]:
        board = await duty.get("/v1/public/board", params={"community_code": COMMUNITY})
        assert board.json()["grids"], board.text
        found: dict[str, Any] = board.json()
        return found

    board = await eventually(board_complete)
    desk_events = of_type(await platform.sandbox.read_topic("duty.roster.v1", at_least=1), "updated")

    assert set_phone.status_code == 200, set_phone.text
    assert (bad_phone.status_code, elsewhere.status_code) == (422, 404)
    assert board["duty_phone"] == "0571-87009999"
    assert board["on_duty"]["duty_officer"] == {"name": "值班员officer-a"}  # 10:00, the day shift
    assert board["on_duty"]["leader"] == {"name": "领导leader-a"}
    assert [(g["manager_name"], g["manager_work_phone"]) for g in board["grids"]] == [("张网格", "0571-87001234")]
    assert "subject" not in str(board)  # names only, no user ids
    assert [e.data["duty_phone"] for e in desk_events] == ["0571-87009999"]


async def test_bad_roster_input_is_a_clear_4xx(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets

    weekly_two_starts = await duty.post(
        "/v1/rotations",
        json={**_minimal(), "kind": "weekly", "shift_starts": ["08:00", "20:00"]},
        headers=admin(secrets),
    )
    no_crews = await duty.post("/v1/rotations", json={**_minimal(), "crews": []}, headers=admin(secrets))
    outside = await duty.post(
        "/v1/rotations", json={**_minimal(), "community_code": OTHER_COMMUNITY}, headers=admin(secrets)
    )
    no_token = await duty.post("/v1/rotations", json=_minimal())
    not_allowed = await duty.post("/v1/rotations", json=_minimal(), headers=officer(secrets, "o"))
    naive = await duty.get(
        "/v1/on-duty", params={"community_code": COMMUNITY, "at": "2021-01-12T08:00"}, headers=admin(secrets)
    )
    unknown_shift = await duty.post(
        "/v1/swaps",
        json={"shift_id": "nope:1", "role": "leader", "counterpart": member("x")},
        headers=officer(secrets, "o"),
    )

    assert [
        r.status_code for r in (weekly_two_starts, no_crews, outside, no_token, not_allowed, naive, unknown_shift)
    ] == [422, 422, 404, 401, 403, 422, 404]
    assert all(r.headers["content-type"] == "application/problem+json" for r in (weekly_two_starts, outside, naive))


def _minimal() -> dict[str, Any]:
    return {
        "community_code": COMMUNITY,
        "name": "表",
        "kind": "daily",
        "starts_on": "2021-01-11",
        "shift_starts": ["08:00"],
        "crews": [crew("a", "b")],
    }


async def test_a_grid_event_delivered_twice_leaves_one_entry_and_an_older_version_never_wins(
    platform: Platform,
) -> None:
    await platform.start("duty", clock=clock_at())
    duty = platform.client("duty")
    newer = GridCreated(
        grid_id="grid-1",
        version=2,
        community_code=COMMUNITY,
        name="第1网格",
        manager_name="李网格",
        manager_phone_masked="137****1234",
        covers_count=1,
        manager_work_phone="13700001234",
    )

    await publish_grid(platform.sandbox, "grid-1")
    await publish(
        platform.sandbox, GRID_UPDATED, GridUpdated(**newer.model_dump(), changed=["manager_name"]), key="grid-1"
    )
    await publish_grid(platform.sandbox, "grid-1")  # version 1 delivered again, late
    runner = next(c for c in platform.runtime("duty").consumers if c.group.endswith("duty.board"))

    async def all_handled() -> None:
        assert runner.stats.handled == 3

    await eventually(all_handled)
    board = await duty.get("/v1/public/grids", params={"community_code": COMMUNITY})
    assert [(g["manager_name"], g["manager_work_phone"]) for g in board.json()["items"]] == [("李网格", "13700001234")]
