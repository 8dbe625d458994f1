"""Members come from registry facts and stay current with them; a home isolation opens one supplies request."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from care.members import service as members
from gridline.testing import eventually
from registry.persons.events import (
    CLASSIFIED,
    MERGED,
    TRANSFERRED,
    UPDATED,
    PersonMerged,
    PersonTransferred,
)

from tests.conftest import Platform
from tests.integration.care_world import (
    advance,
    classified,
    clock_at,
    coordinator,
    elderly_registered,
    events_of,
    handled,
    isolated,
    member_facts,
    member_written_after_timer_ran,
    person_updated,
)
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY

pytestmark = pytest.mark.integration


async def member(platform: Platform, person_id: str, *, jurisdiction: str = COMMUNITY) -> dict[str, Any]:
    headers = coordinator(platform.sandbox.secrets, jurisdiction=jurisdiction)
    response = await platform.client("care").get(f"/v1/members/{person_id}", headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def requests_for(platform: Platform, person_id: str) -> list[dict[str, Any]]:
    headers = coordinator(platform.sandbox.secrets)
    response = await platform.client("care").get("/v1/requests", params={"person_id": person_id}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_special_group_person_isolated_at_home_is_a_member_with_one_supplies_request_despite_redelivery(
    platform: Platform,
) -> None:
    await platform.start("care", clock=clock_at())

    await member_facts(platform.sandbox, "p-1", elderly_registered("p-1"), isolated("p-1"), times=2)
    await handled(platform, "members", 4)

    found = await member(platform, "p-1")
    assert found["groups"] == ["elderly_in_difficulty", "home_isolated"]
    assert found["isolation"] == {"measure": "home_isolation", "starts_on": "2026-03-02", "ends_on": "2026-03-15"}
    assert found["name_masked"] == "李*英"
    requests = await requests_for(platform, "p-1")
    assert [(r["type"], r["source"], r["priority"]) for r in requests] == [("supplies", "isolation", "high")]
    opened = await events_of(platform.sandbox, "care.request.v1", at_least=1)
    assert [e.type for e in opened] == ["gridline.care.request.opened.v1"]
    assert opened[0].data["person_id"] == "p-1"


async def test_a_person_in_home_isolation_without_a_special_group_is_a_member_for_the_period_only(
    platform: Platform,
) -> None:
    clock = clock_at()
    await platform.start("care", clock=clock)

    await member_facts(platform.sandbox, "p-2", isolated("p-2", groups=[]))
    await handled(platform, "members", 1)

    assert (await member(platform, "p-2"))["groups"] == ["home_isolated"]
    assert await requests_for(platform, "p-2") == []  # supplies go to special-group members

    advance(clock, timedelta(days=14))  # the period ends with 2026-03-15

    async def left() -> None:
        found = await member(platform, "p-2")
        assert (found["groups"], found["status"], found["isolation"]) == ([], "inactive", None)

    await eventually(left, timeout=60)


async def test_a_period_already_over_when_its_fact_arrives_ends_even_if_its_timer_ran_first(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog delivers a February isolation on 2 March: its end is due at once, before the member is stored."""
    await platform.start("care", clock=clock_at())
    member_written_after_timer_ran(platform, monkeypatch, members.ISOLATION_END)
    february = classified("p-3", measure="home_isolation", groups=["elderly_in_difficulty"], starts_on=date(2026, 2, 1))

    await member_facts(platform.sandbox, "p-3", (CLASSIFIED, february))
    await handled(platform, "members", 1)

    async def ended() -> None:
        found = await member(platform, "p-3")
        assert (found["groups"], found["isolation"]) == (["elderly_in_difficulty"], None)

    await eventually(ended, timeout=60)


async def test_an_extended_isolation_opens_no_second_supplies_request(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    longer = classified("p-3", measure="home_isolation", groups=["disabled"], version=2, days=21)

    await member_facts(platform.sandbox, "p-3", isolated("p-3", groups=["disabled"]))
    await handled(platform, "members", 1)
    await member_facts(platform.sandbox, "p-3", (CLASSIFIED, longer))
    await handled(platform, "members", 2)

    assert (await member(platform, "p-3"))["isolation"]["ends_on"] == "2026-03-22"
    assert len(await requests_for(platform, "p-3")) == 1


async def test_an_older_fact_arriving_after_a_newer_one_changes_nothing(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    released = classified("p-4", measure="none", groups=["elderly_in_difficulty"], version=2)

    await member_facts(platform.sandbox, "p-4", (CLASSIFIED, released), isolated("p-4", version=1))
    await handled(platform, "members", 2)

    found = await member(platform, "p-4")
    assert (found["groups"], found["isolation"]) == (["elderly_in_difficulty"], None)
    assert await requests_for(platform, "p-4") == []


FACTS: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "updated": (UPDATED, person_updated("p-5", groups=["elderly_in_difficulty", "disabled"]), {"status": "active"}),
    "retired by a merge": (
        UPDATED,
        person_updated("p-5", groups=["elderly_in_difficulty"], status="merged"),
        {"status": "merged"},
    ),
    "merged into": (
        MERGED,
        PersonMerged(
            person_id="p-5",
            version=2,
            merged_person_id="p-dup",
            community_code=COMMUNITY,
            grid_id="grid-1",
            special_groups=["orphan"],
        ),
        {"groups": ["orphan"]},
    ),
    "transferred": (
        TRANSFERRED,
        PersonTransferred(
            person_id="p-5",
            version=2,
            from_community_code=COMMUNITY,
            from_grid_id="grid-1",
            community_code=OTHER_COMMUNITY,
            grid_id="grid-9",
            reason="搬家",
        ),
        {"community_code": OTHER_COMMUNITY, "grid_id": "grid-9"},
    ),
}


@pytest.mark.parametrize("fact", list(FACTS))
async def test_each_person_fact_delivered_twice_has_one_effect(platform: Platform, fact: str) -> None:
    await platform.start("care", clock=clock_at())
    spec, data, expected = FACTS[fact]

    await member_facts(platform.sandbox, "p-5", elderly_registered("p-5"))
    await handled(platform, "members", 1)
    await member_facts(platform.sandbox, "p-5", (spec, data), times=2)
    await handled(platform, "members", 3)

    db = platform.sandbox.database("care")
    stored = await db["members"].find_one({"_id": "p-5"})
    assert stored is not None
    assert {k: stored[k] for k in expected} == expected
    assert stored["person_version"] == 2
    visits = [v["group"] async for v in db["visits"].find({"member_id": "p-5"})]
    assert len(visits) == len(set(visits))  # no visit twice for one group and day
    assert await requests_for(platform, "p-5") == []


async def test_members_are_listed_masked_by_group_inside_the_jurisdiction_only(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    await member_facts(platform.sandbox, "p-6", elderly_registered("p-6"), isolated("p-7", groups=[]))
    await handled(platform, "members", 2)
    care, secrets = platform.client("care"), platform.sandbox.secrets

    everyone = await care.get("/v1/members", headers=coordinator(secrets))
    isolated_only = await care.get("/v1/members", params={"group": "home_isolated"}, headers=coordinator(secrets))
    elsewhere = await care.get("/v1/members", headers=coordinator(secrets, jurisdiction=OTHER_COMMUNITY))

    assert sorted(m["person_id"] for m in everyone.json()["items"]) == ["p-6", "p-7"]
    assert [m["person_id"] for m in isolated_only.json()["items"]] == ["p-7"]
    assert elsewhere.json()["items"] == []
    assert everyone.json()["items"][0]["phone_masked"] == "139****0002"
    unknown = await care.get("/v1/members/p-6", headers=coordinator(secrets, jurisdiction=OTHER_COMMUNITY))
    assert unknown.status_code == 404
    bad_group = await care.get("/v1/members", params={"group": "astronauts"}, headers=coordinator(secrets))
    assert bad_group.status_code == 422
