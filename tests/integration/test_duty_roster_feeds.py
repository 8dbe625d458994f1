"""Roster feeds: an officer's own shifts as an iCalendar feed their phone subscribes to, through a signed link
without sign-in; a tampered, expired, replaced or revoked link is a 4xx problem."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar

from tests.conftest import Platform
from tests.services.duty.support import COMMUNITY, SHANGHAI, admin, clock_at, create_rotation, local, member, officer

pytestmark = pytest.mark.integration

WINDOW = {"roster_feed_days_back": 1, "roster_feed_days_ahead": 3}


async def issue(duty: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await duty.post("/v1/roster-feeds/mine", json=body, headers=headers)
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def path_of(url: str) -> str:
    return urlsplit(url).path


async def override(duty: httpx.AsyncClient, headers: dict[str, str], start: str, end: str, who: str) -> None:
    response = await duty.post(
        "/v1/overrides",
        json={
            "community_code": COMMUNITY,
            "starts_at": local(start).isoformat(),
            "ends_at": local(end).isoformat(),
            "role": "duty_officer",
            "member": member(who),
            "reason": "临时调整",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text


def shifts(calendar: Calendar) -> list[tuple[str, str, str]]:
    def at(event: Any, name: str) -> str:
        moment: datetime = event.decoded(name)
        return moment.astimezone(SHANGHAI).strftime("%m-%d %H:%M")

    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    return [(at(e, "dtstart"), at(e, "dtend"), str(e["summary"])) for e in events]


async def test_an_officers_feed_lists_their_shifts_with_swaps_and_overrides_as_their_phone_reads_it(
    platform: Platform,
) -> None:
    await platform.start("duty", clock=clock_at(), public_url="https://duty.example.gov.cn", **WINDOW)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)  # officer-a by day (08:00-20:00), officer-b by night
    await override(duty, admin(secrets), "2021-01-13T22:00", "2021-01-13T23:00", "officer-a")
    await override(duty, admin(secrets), "2021-01-14T12:00", "2021-01-14T14:00", "officer-c")
    issued = await issue(duty, officer(secrets, "officer-a"))

    fetched = await duty.get(path_of(issued["url"]))  # no bearer token: a phone calendar has none

    assert issued["url"].startswith("https://duty.example.gov.cn/v1/roster-feeds/")
    assert issued["webcal_url"] == "webcal://" + issued["url"].removeprefix("https://")
    assert fetched.status_code == 200, fetched.text
    assert fetched.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = fetched.content
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF
    assert max(len(line) for line in lines) <= 75  # folded at 75 octets, multi-byte Chinese included
    calendar = Calendar.from_ical(raw)
    [zone] = calendar.walk("VTIMEZONE")
    assert (str(calendar["version"]), str(zone["tzid"])) == ("2.0", "Asia/Shanghai")
    # From a day back (the day shift of the 11th still runs then) to three days ahead (the 15th's starts before).
    assert shifts(calendar) == [
        ("01-11 08:00", "01-11 20:00", "值班人员｜一月值班表"),
        ("01-12 08:00", "01-12 20:00", "值班人员｜一月值班表"),
        ("01-13 08:00", "01-13 20:00", "值班人员｜一月值班表"),
        ("01-13 22:00", "01-13 23:00", "值班人员｜一月值班表"),
        ("01-14 08:00", "01-14 12:00", "值班人员｜一月值班表"),
        ("01-14 14:00", "01-14 20:00", "值班人员｜一月值班表"),
        ("01-15 08:00", "01-15 20:00", "值班人员｜一月值班表"),
    ]
    events = calendar.walk("VEVENT")
    assert len({str(e["uid"]) for e in events}) == len(events)
    assert all("dtstamp" in e for e in events)
    assert "安排：临时调整" in str(next(e for e in events if e.decoded("dtstart").hour == 22)["description"])
    again = await duty.get(path_of(issued["url"]))
    assert {str(e["uid"]) for e in Calendar.from_ical(again.content).walk("VEVENT")} == {
        str(e["uid"]) for e in events
    }  # a refresh updates the same entries


async def test_a_leaders_feed_shows_only_their_own_shifts(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at(), **WINDOW)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    issued = await issue(duty, officer(secrets, "leader-b"))

    fetched = await duty.get(path_of(issued["url"]))

    assert [s[:2] for s in shifts(Calendar.from_ical(fetched.content))] == [
        ("01-11 20:00", "01-12 08:00"),
        ("01-12 20:00", "01-13 08:00"),
        ("01-13 20:00", "01-14 08:00"),
        ("01-14 20:00", "01-15 08:00"),
    ]
    assert {s[2] for s in shifts(Calendar.from_ical(fetched.content))} == {"带班领导｜一月值班表"}


async def test_a_tampered_expired_replaced_or_revoked_feed_link_is_a_problem_not_a_calendar(
    platform: Platform,
) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock, **WINDOW)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    await create_rotation(duty, secrets)
    mine = officer(secrets, "officer-a")
    first = path_of((await issue(duty, mine))["url"])
    token = first.split("/")[3]
    header, claims, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    tampered = await duty.get(first.replace(token, f"{header}.{claims}.{flipped}"))
    malformed = await duty.get("/v1/roster-feeds/not-a-token/calendar.ics")
    anonymous_issue = await duty.post("/v1/roster-feeds/mine", json={})

    second = path_of((await issue(duty, mine))["url"])  # a new link: the first stops working
    replaced = await duty.get(first)
    current = await duty.get(second)
    short = path_of((await issue(duty, officer(secrets, "officer-b"), valid_days=1))["url"])
    clock.advance(timedelta(days=1, seconds=1))
    expired = await duty.get(short)
    revoked_answer = await duty.delete("/v1/roster-feeds/mine", headers=mine)
    revoked = await duty.get(second)

    assert (tampered.status_code, tampered.headers["content-type"]) == (401, "application/problem+json")
    assert tampered.json()["type"] == "/problems/link-invalid"
    assert malformed.status_code == 422
    assert anonymous_issue.status_code == 401
    assert (replaced.status_code, replaced.json()["type"]) == (410, "/problems/link-expired")
    assert current.status_code == 200
    assert (expired.status_code, expired.json()["type"]) == (410, "/problems/link-expired")
    assert revoked_answer.status_code == 204
    assert (revoked.status_code, revoked.json()["title"]) == (410, "链接已过期")
