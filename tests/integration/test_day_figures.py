"""A day filled step by step: monitoring's statistics, duty's daily report and the /stats page on a phone
agree after every step, before and after the cut-off, and the day recomputed from the topics equals them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from gridline.clock import LOCAL_TZ, SystemClock
from gridline.outbox import make_event
from gridline.testing import eventually
from monitoring.figures.replay import replay
from playwright.async_api import Browser, Page, expect
from registry.persons.events import CLASSIFIED

from tests.integration.desk_world import COMMUNITY, GRID, TOWNSHIP, check_in, monitored_person, today
from tests.integration.monitored import classification
from tests.integration.pages import Site, phone, screenshot, sign_in

pytestmark = pytest.mark.integration
FIGURES = ("people", "expected", "done", "missed", "pending", "abnormal", "recorded", "late", "corrected")
REPORTED = ("people", "expected", "done", "missed", "abnormal")  # what the page's daily-report section shows


def from_monitoring(totals: dict[str, Any]) -> dict[str, int]:
    checkins = totals["checkins"]
    return {"people": sum(totals["people_by_measure"].values()), **{k: checkins[k] for k in FIGURES[1:]}}


def from_duty(counts: dict[str, Any]) -> dict[str, int]:
    checkins = counts["checkins"]
    return {"people": sum(counts["measures"].values()), **{k: checkins[k] for k in FIGURES[1:]}}


async def from_page(page: Page) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """The page's totals table (people summed over the measures), its measures, and its daily-report section."""
    if await page.locator("#totals").count() == 0:  # a refusal or an upstream that did not answer: read again
        raise AssertionError(await page.locator("body").inner_text())
    shown: dict[str, int] = {"people": 0, "pending": 0}
    measures: dict[str, int] = {}
    for cell in await page.locator("#totals td[data-figure]").all():
        key, value = str(await cell.get_attribute("data-figure")), int(await cell.inner_text())
        group, name = key.split(".")
        if group == "people":
            shown["people"] += value
            measures[name] = value
        elif group == "checkins":
            shown[name] = value
    reported = {}
    for cell in await page.locator("#report td[data-report-figure]").all():
        key = str(await cell.get_attribute("data-report-figure"))
        reported[key.removeprefix("checkins.")] = int(await cell.inner_text())
    return shown, measures, reported


class Day:
    """The three places an officer reads the day's figures, read side by side."""

    def __init__(self, site: Site, page: Page, monitoring: httpx.AsyncClient, duty: httpx.AsyncClient) -> None:
        self.site, self.page, self.monitoring, self.duty = site, page, monitoring, duty
        self.measures = {"home_health_monitoring": 3}

    async def read(self) -> dict[str, Any]:
        stats = await self.monitoring.get("/v1/stats/daily", params={"day": today().isoformat()})
        assert stats.status_code == 200, stats.text
        report = await self.duty.get(
            "/v1/reports/daily", params={"division_code": TOWNSHIP, "day": today().isoformat()}
        )
        assert report.status_code == 200, report.text
        await self.page.goto(f"{self.site.web}/stats")
        shown, measures, reported = await from_page(self.page)
        return {
            "monitoring": from_monitoring(stats.json()["totals"]),
            "closed": stats.json()["totals"]["closed"],
            "duty": from_duty(report.json()["counts"]),
            "page": shown,
            "page_report": reported,
            "measures": {
                "monitoring": stats.json()["totals"]["people_by_measure"],
                "duty": {m: n for m, n in report.json()["counts"]["measures"].items() if n},
                "page": measures,
            },
        }

    async def agrees_on(self, expected: dict[str, int], measures: dict[str, int] | None = None) -> dict[str, Any]:
        async def agreeing() -> dict[str, Any]:
            found = await self.read()
            assert found["monitoring"] == expected, found
            assert found["duty"] == expected, found
            assert found["page"] == expected, found
            assert found["page_report"] == {k: expected[k] for k in REPORTED}, found
            assert found["measures"] == dict.fromkeys(("monitoring", "duty", "page"), measures or self.measures), found
            return found

        return await eventually(agreeing, timeout=90)


def figures(**given: int) -> dict[str, int]:
    return {name: given.get(name, 0) for name in FIGURES}


async def a_cut_off_soon(site: Site) -> None:
    """The community's cut-off moved to the coming minute (between 30 and 90 s away)."""
    at = (datetime.now(LOCAL_TZ) + timedelta(seconds=90)).strftime("%H:%M")
    await set_cut_off(site, at)


async def set_cut_off(site: Site, hhmm: str) -> None:
    async with site.api("monitoring", "community_admin", jurisdiction=COMMUNITY) as monitoring:
        answer = await monitoring.patch(f"/v1/communities/{COMMUNITY}/settings", json={"cutoff_time": hhmm})
        assert answer.status_code == 200, answer.text


async def correct(site: Site, plan_id: str, checkin_id: str, temperature: float) -> None:
    body = {"method": "visit", "temperature_c": temperature, "symptoms": [], "health_code": "green"}
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:
        answer = await monitoring.post(f"/v1/plans/{plan_id}/checkins", json={**body, "corrects": checkin_id})
        assert answer.status_code == 201, answer.text


async def reclassified(site: Site, person_id: str, measure: str) -> dict[str, Any]:
    """Registry re-classifies the person; monitoring's plan takes the new measure (and its check-ins a day)."""
    data = classification(person_id, version=2, measure=measure, starts_on=today(), community=COMMUNITY, grid=GRID)
    event = make_event(CLASSIFIED, source="/gridline/registry", key=person_id, data=data, clock=SystemClock())
    key, value, headers = event.to_record()
    await site.sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=headers)
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:

        async def changed() -> dict[str, Any]:
            answer = await monitoring.get("/v1/plans", params={"person_id": person_id, "status": "active"})
            [plan] = answer.json()["items"]
            assert plan["measure"] == measure, plan
            found: dict[str, Any] = plan
            return found

        return await eventually(changed)


async def not_near_midnight() -> None:
    """The steps take a few minutes and must fall within one Beijing day."""
    now = datetime.now(LOCAL_TZ)
    if now.hour == 23 and now.minute >= 54:
        await asyncio.sleep((60 - now.minute) * 60 - now.second + 5)


async def test_every_page_api_and_report_shows_the_same_figures_at_each_step_of_a_day(
    site: Site, browser: Browser
) -> None:
    await not_near_midnight()
    await set_cut_off(site, "23:59")  # today's check-ins are expected of plans opening now
    plans = [await monitored_person(site, f"person-day-{n}") for n in range(3)]
    expected = sum(p["checkins_per_day"] for p in plans)
    context = await phone(browser)
    page = await context.new_page()
    await sign_in(page, site.web, "demo-township-officer-1", then="/stats")
    township = site.api("monitoring", "township_officer", jurisdiction=TOWNSHIP)
    reports = site.api("duty", "township_officer", jurisdiction=TOWNSHIP)
    async with township as monitoring, reports as duty:
        day = Day(site, page, monitoring, duty)
        opened = await day.agrees_on(figures(people=3, expected=expected, pending=expected))
        assert opened["closed"] is False

        await check_in(site, plans[0]["id"], 36.5)
        fever = await check_in(site, plans[1]["id"], 38.2)
        await day.agrees_on(figures(people=3, expected=expected, done=2, pending=expected - 2, abnormal=1, recorded=2))
        await screenshot(page, "stats-live-before-cut-off")

        await correct(site, plans[1]["id"], fever["result"]["checkin_id"], 36.6)  # misread: a correction
        corrected = figures(people=3, expected=expected, done=2, pending=expected - 2, recorded=3, corrected=1)
        await day.agrees_on(corrected)

        plans[2] = await reclassified(site, "person-day-2", "home_isolation")  # tightened during the day
        expected = sum(p["checkins_per_day"] for p in plans)
        corrected = {**corrected, "expected": expected, "pending": expected - 2}
        day.measures = {"home_health_monitoring": 2, "home_isolation": 1}
        await day.agrees_on(corrected)

        await a_cut_off_soon(site)
        closed = await day.agrees_on(
            figures(people=3, expected=expected, done=2, missed=expected - 2, recorded=3, corrected=1)
        )
        assert closed["closed"] is True
        await expect(page.locator("#scope")).to_contain_text("已过截止时间")

        await check_in(site, plans[2]["id"], 36.4)  # late: the miss stands
        late = figures(people=3, expected=expected, done=2, missed=expected - 2, recorded=4, late=1, corrected=1)
        await day.agrees_on(late)
        await screenshot(page, "stats-after-cut-off")

        grids = await monitoring.get("/v1/stats/daily", params={"day": today().isoformat(), "division": COMMUNITY})
    await context.close()
    await recomputed_from_the_topics_equal(site, grids.json()["children"])


async def recomputed_from_the_topics_equal(site: Site, live: list[dict[str, Any]]) -> None:
    """Monitoring's events replayed from the topics give the live figures of each grid exactly."""
    events = [
        record.event()
        for topic, at_least in (("monitoring.plan.v1", 3), ("monitoring.checkin.v1", 5), ("monitoring.alert.v1", 1))
        for record in await site.sandbox.read_topic(topic, at_least=at_least)
    ]
    rows = replay(events)
    recomputed = {
        grid: counts
        for (day, community, grid), counts in rows.items()
        if (day, community) == (today().isoformat(), COMMUNITY)
    }
    by_grid = {}
    for unit in live:
        checkins = {f"checkins.{k}": v for k, v in unit["checkins"].items() if v and k != "pending"}
        people = {f"people.{m}": n for m, n in unit["people_by_measure"].items()}
        alerts = {f"alerts.{k}": n for k, n in unit["alerts_by_kind"].items()}
        plans = {f"plans.{k}": n for k, n in unit["plans"].items() if n}
        by_grid[unit["unit"]] = {**checkins, **people, **alerts, **plans}
    assert by_grid == recomputed
    assert sum(c.get("checkins.expected", 0) for c in recomputed.values()) > 0
