"""Every page, for every role, with the demo data: names and Beijing times, never an id, a raw instant or a bare code.

The demo data is loaded by the demo's own seed (`deploy/demo/seed.py`), pointed at this module's services. Each
role signs in on a phone, follows every link its pages offer (menu, lists, details), with every `<details>`
opened, and the same pages are read again on a wide screen; a resident also sends a check-in, a help request
and a booking (then cancels it), for the pages only a sent form shows. What a person can read (the text, the title, the
`title` and `alt` attributes, the placeholders) must hold no UUID or long hex id, no ISO-8601 instant or date,
no account subject, and no division code without its name beside it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from unittest import mock
from urllib.parse import urlsplit

import httpx
import pytest
from gridline.auth.issuer import issue_token
from gridline.clock import LOCAL_TZ
from gridline.devstack import servers
from gridline.testing import Sandbox, Secrets, Servers, eventually
from playwright.async_api import Browser, Page

from tests.integration.pages import Site, phone, sign_in
from tests.integration.served import API_SERVICES, serve_platform
from tests.integration.test_web_resident import ask_for_code, code_sent_to

pytestmark = pytest.mark.integration
SEED = servers.REPO / "deploy" / "demo" / "seed.py"
COMMUNITY = "330106001001"
WIDE = {"width": 1280, "height": 900}
MAX_PAGES = 45  # per role: every page its menu reaches, and their lists' and details' pages

# What a person may not be shown. An id is for the machines; a person reads a name.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
HEX_RUN = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}(?![0-9A-Za-z])")
INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"  # 2026-12-06T08:00
    r"|\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})"  # 08:00:00Z, 08:00:00+00:00
    r"|[+-]\d{2}:00\b"  # an offset on its own
)
ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
SNAKE = re.compile(r"(?<![\w/.-])[a-z]+(?:_[a-z]+)+(?![\w/.-])", re.ASCII)  # a service's code with no label
CODE = re.compile(r"(?<![\d*])(\d{6}|\d{9}|\d{12})(?![\d*])")  # not the visible ends of a masked ID number


@dataclass
class Roles:
    """Who signs in (the demo users of the pages' sign-in) and where a resident without an account starts."""

    subjects: tuple[str, ...] = (
        "demo-grid-worker-1",
        "demo-community-admin-1",
        "demo-duty-officer-1",
        "demo-social-worker-1",
        "demo-volunteer-1",
        "demo-township-officer-1",
        "demo-county-officer-1",
    )
    resident_starts: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
async def site(
    real_servers: Servers, secrets: Secrets, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    """The platform as conftest serves it, with the demo data the demo's seed loads."""
    sandbox = Sandbox(real_servers, secrets)
    await sandbox.create_topics()
    try:
        with serve_platform(sandbox, logs=tmp_path_factory.mktemp("site-logs")) as urls:
            local = tmp_path_factory.mktemp("demo-local")
            (local / "auth").symlink_to(secrets.auth_dir, target_is_directory=True)
            await asyncio.to_thread(_seed, urls, local)
            yield Site(sandbox=sandbox, urls=urls)
    finally:
        await sandbox.drop(list(API_SERVICES))


def _seed(urls: dict[str, str], local: Path) -> None:
    """Run the demo's seed as `./deploy/dev up` does, against this module's services."""
    spec = importlib.util.spec_from_file_location("demo_seed", SEED)
    assert spec is not None
    assert spec.loader is not None
    seed: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    for name in API_SERVICES:
        setattr(seed, name.upper(), urls[name])
    with mock.patch.object(sys, "argv", ["seed.py", "--local", str(local)]):
        seed.main()


def as_demo_user(site: Site, service: str, subject: str, name: str, role: str) -> httpx.AsyncClient:
    """A client calling as a demo user with the name their token carries, as the pages' sign-in gives it."""
    token = issue_token(
        site.sandbox.secrets.auth_dir,
        subject=subject,
        roles=[role],
        jurisdiction=COMMUNITY,
        issuer="gridline-local",
        audience="gridline",
        extra={"name": name},
    )
    return httpx.AsyncClient(base_url=site.urls[service], headers={"Authorization": f"Bearer {token}"}, timeout=30)


async def worked(site: Site) -> None:
    """What a first morning adds to the demo: a reveal for a phone call, and a household screened."""
    async with as_demo_user(site, "registry", "demo-community-admin-1", "陈建国", "community_admin") as registry:
        people = (await registry.get("/v1/persons", params={"limit": 5})).json()
        person = people["items"][0]
        reveal = {"purpose": "contact", "detail": "电话通知核酸检测", "fields": ["phone"]}
        answer = await registry.post(f"/v1/persons/{person['id']}/reveal", json=reveal)
        assert answer.status_code == 200, answer.text
        screening = {
            "community_code": COMMUNITY,
            "grid_id": person["grid_id"],
            "household": "曙光路1号3幢201室",
            "method": "door_to_door",
            "found": [person["id"]],
        }
        answer = await registry.post("/v1/screenings", json=screening)
        assert answer.status_code == 201, answer.text


@pytest.fixture(scope="module")
async def roles(site: Site) -> Roles:
    """The demo users, and the resident's ways in: the boards, a self check-in link and a help link."""
    await worked(site)
    found = Roles(resident_starts=["/", f"/board?community={COMMUNITY}", "/board?community=330106001002"])
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:

        async def a_plan() -> str:
            plans = (await monitoring.get("/v1/plans", params={"status": "active", "limit": 5})).json()["items"]
            assert plans, "the seed's plans have not arrived yet"
            return str(plans[0]["id"])

        issued = await monitoring.post(f"/v1/plans/{await eventually(a_plan)}/self-checkin-links", json={})
        assert issued.status_code == 201, issued.text
        found.resident_starts.append(issued.json()["url"].removeprefix(site.web))
    async with site.api("care", "community_admin", jurisdiction=COMMUNITY) as care:
        members = (await care.get("/v1/members", params={"limit": 5})).json()["items"]
        assert members, "the seed's elderly resident is not a member"
        link = await care.post(f"/v1/members/{members[0]['person_id']}/help-links")
        assert link.status_code in (200, 201), link.text
        found.resident_starts.append(f"/r/help?t={link.json()['token']}")
    return found


def demo_names() -> dict[str, str]:
    """The demo's divisions by code, for a code shown with its name (fine) or alone (not)."""
    return {"330106": "西湖区", "330106001": "北山街道", "330106001001": "曙光社区", "330106001002": "保俶社区"}


def subjects() -> set[str]:
    """The accounts of the demo (signed-in users, the seed, the roster's crews): shown by name, never as these."""
    crews = {f"{kind}-{c}{n}" for kind in ("duty", "lead") for c in "12" for n in "123"}
    return set(Roles().subjects) | {"demo-seed", "demo-ops"} | crews


def offences(text: str) -> list[str]:
    """What in `text` is an id, a raw instant or date, an account, or a division code without its name."""
    found = [f"id {m}" for m in UUID.findall(text)] + [f"hex id {m}" for m in HEX_RUN.findall(text)]
    found += [f"raw time {m!r}" for m in INSTANT.findall(text)] + [f"raw date {m}" for m in ISO_DATE.findall(text)]
    found += [f"code word {m}" for m in SNAKE.findall(text)]
    accounts = subjects()
    found += [f"account {w}" for w in re.findall(r"[\w-]+", text, re.ASCII) if w in accounts]
    names = demo_names()
    for line in text.splitlines():
        for code in CODE.findall(line):
            if code in names and names[code] not in line:
                found.append(f"code {code} without {names[code]}: {line.strip()[:80]!r}")
    return found


READ = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const shown = [document.title, document.body.innerText];
  document.querySelectorAll('[title], img[alt], input[placeholder], textarea[placeholder]').forEach(e => {
    for (const name of ['title', 'alt', 'placeholder']) { if (e.getAttribute(name)) shown.push(e.getAttribute(name)); }
  });
  return shown.join('\\n');
}"""
LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download'))
  .map(a => a.href)"""
# Where the demo data gives a page a name to show, the name is there (not only the id gone).
NAMED = {
    ("demo-duty-officer-1", "/supplies"): "存放于党群服务中心",
    ("demo-social-worker-1", "/visits"): "北山街道 曙光社区 第2网格",
    ("demo-community-admin-1", "/screenings"): "陈建国",
    ("resident", f"/board?community={COMMUNITY}"): "北山街道 曙光社区",
    ("resident", f"/r/book?community={COMMUNITY}"): "北山街道 曙光社区",
}
SKIPPED = ("/signout", "/signin", "/static/", "/dev-idp", "/desk/events")


def wanted(url: str, web: str) -> str | None:
    """The page a link opens, as a path with its query, when it is one of these pages (not a file, not away)."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != web or parts.path.startswith(SKIPPED):
        return None
    if parts.path.endswith((".csv", ".xlsx", ".png")) or parts.path.endswith("/progress"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def read(page: Page, web: str, path: str, who: str, width: str, problems: list[str]) -> list[str]:
    """Open one page, note what it shows that it should not, and return the pages it links to."""
    answer = await page.goto(f"{web}{path}", wait_until="load")
    if answer is not None and answer.status == 503:  # a service too slow on a loaded machine: once more
        await asyncio.sleep(2)
        answer = await page.goto(f"{web}{path}", wait_until="load")
    if answer is not None and answer.status >= 500:
        problems.append(f"{who} {width} {path}: answered {answer.status}")
        return []
    text = await page.evaluate(READ)
    problems += [f"{who} {width} {path}: {offence}" for offence in offences(text)]
    if NAMED.get((who, path), "") not in text:
        problems.append(f"{who} {width} {path}: does not show {NAMED[(who, path)]!r}")
    links = [wanted(href, web) for href in await page.evaluate(LINKS)]
    return [link for link in links if link]


async def sent(site: Site, page: Page, starts: list[str], problems: list[str]) -> None:
    """The pages a resident reads only after sending a form: a check-in's receipt, a help request's progress."""
    checkin = next(path for path in starts if path.startswith("/r/checkin"))
    await page.goto(f"{site.web}{checkin}")
    await page.fill("#temperature", "36.6")
    await page.check("input[name=health_code][value=green]")
    async with page.expect_navigation():
        await page.click("button:has-text('提交打卡')")
    # A receipt, or (today's check-ins already done) the form with the refusal: either is a page to read.
    problems += [f"resident check-in answer: {offence}" for offence in offences(await page.evaluate(READ))]
    help_link = next(path for path in starts if path.startswith("/r/help"))
    await page.goto(f"{site.web}{help_link}")
    await page.select_option("#type", "medicine")
    await page.fill("#needs", "降压药两盒，送到3幢2单元")
    async with page.expect_navigation():
        await page.click("button:has-text('提交求助')")
    await page.wait_for_selector("text=已收到您的求助")
    problems += [f"resident help progress: {offence}" for offence in offences(await page.evaluate(READ))]
    await booked_and_cancelled(site, page, problems)


async def booked_and_cancelled(site: Site, page: Page, problems: list[str]) -> None:
    """A booking of one of tomorrow's demo slots, with the code texted to the phone, and its cancelling."""
    tomorrow = (datetime.now(LOCAL_TZ) + timedelta(days=1)).date()
    await page.goto(f"{site.web}/r/book?community={COMMUNITY}&day={tomorrow.isoformat()}")
    async with page.expect_navigation():
        await page.locator("li.slot a.button.primary").first.click()
    await ask_for_code(page, "13905710099")
    await page.fill("#code", await code_sent_to(site, "13905710099"))
    async with page.expect_navigation():
        await page.click("#book")
    await page.wait_for_selector("h1:has-text('预约成功')")
    problems += [f"resident booking done: {offence}" for offence in offences(await page.evaluate(READ))]
    async with page.expect_navigation():
        await page.click("button:has-text('取消这个预约')")
    await page.wait_for_selector("h1:has-text('预约已取消')")
    problems += [f"resident booking cancelled: {offence}" for offence in offences(await page.evaluate(READ))]


async def walk(browser: Browser, site: Site, who: str, starts: list[str], subject: str | None) -> list[str]:
    """Every page reachable from `starts` on a phone, then the same pages on a wide screen: what they show wrongly."""
    problems: list[str] = []
    web = site.web
    context = await phone(browser)
    page = await context.new_page()
    if subject:
        await sign_in(page, web, subject)
    queue, seen = list(starts), set(starts)
    opened: list[str] = []
    while queue and len(opened) < MAX_PAGES:
        path = queue.pop(0)
        opened.append(path)
        for link in await read(page, web, path, who, "360px", problems):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    if not subject:
        await sent(site, page, starts, problems)
    await page.set_viewport_size(WIDE)  # type: ignore[arg-type]
    for path in opened:
        await read(page, web, path, who, "1280px", problems)
    await context.close()
    assert len(opened) > 1 or not subject, f"{who} reached no page beyond {starts}"
    return problems


def test_the_checks_catch_ids_raw_times_and_bare_codes() -> None:
    """The checks themselves: each kind of offence is found, and names, Beijing times and masks pass."""
    assert offences("存放于场所 4b7b2dba-eb2d-4c1e-9a3b-0123456789ab")
    assert offences("网格 b7cd3c00e1f24a5b9c8d7e6f")
    assert offences("发生于 2026-12-06T08:00:00+00:00")
    assert offences("更新于 08:00:00Z")
    assert offences("自 2026-12-06")
    assert offences("社区代码 330106001001")
    assert offences("当前负责：demo-duty-officer-1")
    assert offences("党员志愿者 · party_member_volunteer")
    fine = "曙光社区（330106001001）· 12月06日 08:00 · 王* · 138****1234 · 330106********002X · 0571-87091000"
    assert offences(fine) == []


async def test_no_page_of_any_role_shows_an_id_a_raw_time_or_a_bare_code(
    site: Site, roles: Roles, browser: Browser
) -> None:
    problems: list[str] = []
    for subject in roles.subjects:
        problems += await walk(browser, site, subject, ["/"], subject)
    problems += await walk(browser, site, "resident", roles.resident_starts, None)
    unique = list(dict.fromkeys(problems))
    assert unique == [], f"{len(unique)} things shown that a person should not read:\n" + "\n".join(unique)
