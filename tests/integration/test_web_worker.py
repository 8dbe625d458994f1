"""Grid workers and community admins in a phone browser: register, worklist, two-tap check-in, reveal, import."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from gridline.testing import Sandbox, Secrets, Servers, eventually
from playwright.async_api import Browser, FilePayload, Locator, Page, expect

from tests.integration.pages import Site, phone, screenshot, sign_in
from tests.integration.people import COMMUNITY, create_grid, prc_id, returnee
from tests.integration.served import API_SERVICES, serve_platform
from tests.integration.test_assist_lists import PLATFORM_KEY, assist_list, entry, push

pytestmark = pytest.mark.integration
GRID_NAME = "第1网格"
WORKER = "demo-grid-worker-1"
ADMIN = "demo-community-admin-1"
HIDDEN = ("csrf", "key", "plan_id", "grid", "name")
ROWS = 1050  # two of the registry's batches: the progress bar has a step to show
EVENTS_SECONDS = 60  # plans arrive by events: a loaded machine is slower, a passing check returns at once


@pytest.fixture(scope="module")
async def site(
    real_servers: Servers, secrets: Secrets, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    """The platform as conftest serves it, with the provincial platform as a signed client pushing assist lists."""
    sandbox = Sandbox(real_servers, secrets)
    await sandbox.create_topics()
    province = f"province:{base64.b64encode(PLATFORM_KEY).decode()}"
    try:
        with serve_platform(sandbox, logs=tmp_path_factory.mktemp("site-logs"), integration_clients=province) as urls:
            yield Site(sandbox=sandbox, urls=urls)
    finally:
        await sandbox.drop(list(API_SERVICES))


async def the_grid(site: Site) -> str:
    """The community's first grid, set up once per module as an operator and an admin would."""
    async with site.api("monitoring", "community_admin", jurisdiction=COMMUNITY) as monitoring:
        # Someone registered after the day's cut-off starts tomorrow; these journeys check in today, at any hour.
        answer = await monitoring.patch(f"/v1/communities/{COMMUNITY}/settings", json={"cutoff_time": "23:59"})
        assert answer.status_code == 200, answer.text
    async with site.api("registry", "community_admin", jurisdiction=COMMUNITY) as registry:
        listed = (await registry.get("/v1/grids", params={"community_code": COMMUNITY})).json()["items"]
        for grid in listed:
            if grid["name"] == GRID_NAME:
                return str(grid["id"])
        return await create_grid(registry, site.sandbox.secrets)


async def registered(site: Site, grid_id: str, number: str) -> str:
    """A returnee registered through the API, as another worker's phone would: the person's id."""
    async with site.api("registry", "grid_worker", jurisdiction=COMMUNITY) as registry:
        answer = await registry.post("/v1/persons", json=returnee(grid_id, number=number))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])


async def registered_with_plan(site: Site, grid_id: str, number: str) -> tuple[str, str]:
    """A returnee and the monitoring plan the registry's events open for them: (person, plan)."""
    person_id = await registered(site, grid_id, number)
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:

        async def opened() -> str:
            found = (await monitoring.get("/v1/plans", params={"person_id": person_id})).json()["items"]
            assert found, "no plan yet"
            return str(found[0]["id"])

        plan_id = await eventually(opened, timeout=EVENTS_SECONDS)
    return person_id, plan_id


async def reload_until_visible(page: Page, target: Locator, *, seconds: float = EVENTS_SECONDS) -> None:
    """Reload until `target` shows: what arrives by events appears on the next load after it arrives."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            await target.wait_for(state="visible", timeout=2000)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await page.reload()


async def test_a_worker_registers_a_person_fixing_a_wrong_id_and_finds_them_on_the_worklist(
    site: Site, browser: Browser
) -> None:
    grid_id = await the_grid(site)
    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await sign_in(page, site.web, WORKER, then="/people/new")
    right = prc_id(birth="19850607", sequence=31)
    wrong = right[:-1] + ("0" if right[-1] != "0" else "1")
    await page.fill("#f-name", "王建国")
    await page.fill("#f-document-number", wrong)
    await page.fill("#f-phone", "13905710031")
    await page.select_option("#f-grid_id", grid_id)
    await page.select_option("#f-episodes-0-category", "holiday_returnee")
    await page.fill("#f-episodes-0-arrival_date", str(date.today() - timedelta(days=2)))
    await page.fill("#f-episodes-0-origin_division_code", "420106")
    await page.click("button:has-text('登记')")

    number = page.locator("#f-document-number")
    await expect(number).to_have_attribute("aria-invalid", "true")
    await expect(number).to_have_attribute("aria-describedby", "f-document-number-error")
    await expect(page.locator("#f-document-number + .field-error")).to_contain_text("校验码")
    await expect(page.locator("#f-name")).to_have_value("王建国")
    await expect(page.locator("#f-grid_id")).to_have_value(grid_id)
    assert await page.locator("[aria-invalid='true']").count() == 1, "only the ID field is marked"
    await screenshot(page, "worker-register-wrong-id")

    await number.fill(right)
    await page.click("button:has-text('登记')")
    await page.wait_for_url(f"{site.web}/people/*")
    await expect(page.locator("[role=status]")).to_contain_text("登记成功")
    person_id = page.url.split("/people/")[1].split("?")[0]
    await expect(page.locator("[data-field=document_number]")).to_have_text(f"{right[:6]}********{right[-4:]}")
    await screenshot(page, "worker-person")

    await page.goto(f"{site.web}/worklist?grid={grid_id}")
    await reload_until_visible(page, page.locator(f"li.work[data-person='{person_id}']"))
    row = page.locator(f"li.work[data-person='{person_id}']")
    await expect(row.locator("summary.person")).to_contain_text("王*国")
    await expect(row.locator("[data-state=pending]")).to_contain_text("未打卡")
    await expect(page.locator("[data-hint=after-cutoff]")).to_contain_text("从次日起列入清单")
    await screenshot(page, "worker-worklist")
    await context.close()
    assert blocked == []


async def test_two_taps_on_the_worklist_check_a_person_in(site: Site, browser: Browser) -> None:
    grid_id = await the_grid(site)
    person_id, plan_id = await registered_with_plan(site, grid_id, prc_id(birth="19790101", sequence=41))
    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await sign_in(page, site.web, WORKER, then=f"/worklist?grid={grid_id}")
    row = page.locator(f"li.work[data-person='{person_id}']")
    await reload_until_visible(page, row)
    before = int(await page.locator("[data-count=done]").inner_text())

    await row.locator("summary.person").tap()
    form = row.locator("form.checkin")
    await expect(form.locator("input[name=temperature_c]")).to_have_value("")
    await expect(form.locator("input[name=health_code][value=green]")).to_be_checked()
    await expect(form.locator("select[name=method]")).to_have_value("visit")
    await screenshot(page, "worker-checkin-form")
    sent = {name: await form.locator(f"input[type=hidden][name={name}]").input_value() for name in HIDDEN}
    await form.locator("button[data-action=save-checkin]").tap()

    await expect(page.locator("[role=status]")).to_contain_text("已为")
    await expect(page.locator(f"li.work[data-person='{person_id}'] [data-state=done]")).to_have_text("已打卡")
    await expect(page.locator("[data-count=done]")).to_have_text(str(before + 1))
    await screenshot(page, "worker-worklist-checked-in")
    again = await page.request.post(
        f"{site.web}/worklist/checkin", form={**sent, "health_code": "green", "method": "visit", "temperature_c": ""}
    )
    assert again.ok, "the same form sent twice is the same check-in, not a refusal"
    assert "/worklist?" in again.url
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:
        recorded = (await monitoring.get("/v1/checkins", params={"plan_id": plan_id})).json()["items"]
    assert [(c["state"], c["result"]["method"], c["result"]["health_code"]) for c in recorded] == [
        ("recorded", "visit", "green")
    ]
    await context.close()
    assert blocked == []


async def test_a_mistyped_temperature_is_refused_next_to_the_field_and_nothing_is_recorded(
    site: Site, browser: Browser
) -> None:
    grid_id = await the_grid(site)
    person_id, plan_id = await registered_with_plan(site, grid_id, prc_id(birth="19790303", sequence=43))
    context = await phone(browser)
    page = await context.new_page()
    await sign_in(page, site.web, WORKER, then=f"/worklist?grid={grid_id}")
    row = page.locator(f"li.work[data-person='{person_id}']")
    await reload_until_visible(page, row)
    await row.locator("summary.person").tap()
    await row.locator("input[name=temperature_c]").fill("365")
    await row.locator("button[data-action=save-checkin]").tap()

    field = page.locator("#f-temperature_c")
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-temperature_c-error")).to_have_text("不能大于 43")
    await expect(field).to_have_value("365")
    await screenshot(page, "worker-checkin-refused")
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:
        recorded = (await monitoring.get("/v1/checkins", params={"plan_id": plan_id})).json()["items"]
    assert recorded == []
    await field.fill("36.6")
    await page.click("button[data-action=save-checkin]")
    await expect(page.locator(f"li.work[data-person='{person_id}'] [data-state=done]")).to_have_text("已打卡")
    await context.close()


async def test_a_reveal_needs_a_purpose_and_shows_the_fields_once(site: Site, browser: Browser) -> None:
    grid_id = await the_grid(site)
    number = prc_id(birth="19900220", sequence=51)
    person_id, _ = await registered_with_plan(site, grid_id, number)
    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await sign_in(page, site.web, WORKER, then=f"/people/{person_id}")

    await page.fill("#f-detail", "核对返乡人员身份信息")
    await page.click("button:has-text('查看完整信息')")
    purpose = page.locator("#f-purpose")
    await expect(purpose).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-purpose + .field-error")).to_have_text("此项必填")
    await expect(page.locator("#f-detail")).to_have_value("核对返乡人员身份信息")
    assert await page.locator("[data-revealed]").count() == 0
    await screenshot(page, "worker-reveal-refused")

    await purpose.select_option("verification")
    await page.click("button:has-text('查看完整信息')")
    await expect(page.locator("[data-revealed=document_number]")).to_have_text(number)
    await screenshot(page, "worker-reveal-shown")
    await page.goto(f"{site.web}/people/{person_id}")
    await expect(page.locator("[data-field=document_number]")).to_have_text(f"{number[:6]}********{number[-4:]}")
    assert await page.locator("[data-revealed]").count() == 0, "a revealed value is shown once, not kept"

    await page.click("button:has-text('生成自主打卡二维码')")
    await expect(page.locator("img.qr")).to_be_visible()
    await page.wait_for_function("document.querySelector('img.qr').naturalWidth > 0")
    link = await page.locator("[data-link=self-checkin]").get_attribute("href")
    assert link is not None
    assert link.startswith(f"{site.web}/r/checkin")
    await screenshot(page, "worker-self-checkin-qr")
    await context.close()
    assert blocked == []


async def test_an_admin_sets_up_grids_and_records_screenings(site: Site, browser: Browser) -> None:
    await the_grid(site)
    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await sign_in(page, site.web, ADMIN, then="/grids")
    await expect(page.locator("li.grid-row")).to_contain_text([GRID_NAME])
    await page.fill("#f-name", "第2网格")
    await page.fill("#f-manager_name", "李网格")
    await page.fill("#f-manager_phone", "123")
    await page.click("button:has-text('新增网格')")
    phone_field = page.locator("#f-manager_phone")
    await expect(phone_field).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-manager_name")).to_have_value("李网格")
    await screenshot(page, "admin-grids")

    first = page.locator("li.grid-row").first
    await first.locator("summary.person").tap()
    await first.locator("input[name=manager_work_phone]").fill("0571-87005678")
    await first.locator("button:has-text('保存修改')").tap()
    await expect(page.locator("[role=status]")).to_contain_text(GRID_NAME)
    await expect(page.locator("li.grid-row").first).to_contain_text("公示电话 0571-87005678")
    await page.fill("#f-name", "第2网格")
    await page.fill("#f-manager_name", "李网格")
    await page.fill("#f-manager_phone", "13905710002")
    await page.click("button:has-text('新增网格')")
    await expect(page.locator("[role=status]")).to_contain_text("第2网格")
    await expect(page.locator("li.grid-row")).to_have_count(2)

    await page.goto(f"{site.web}/worklist")
    await screenshot(page, "worker-grid-pick")
    await page.click("a.tile:has-text('第2网格')")
    await expect(page.locator("main .hint").first).to_contain_text("第2网格")
    assert "grid=" in page.url, "the picked grid is kept in the address"

    number = prc_id(birth="19770707", sequence=81)
    person_id = await registered(site, await the_grid(site), number)
    reveal = {"purpose": "contact", "detail": "电话通知核酸检测", "fields": ["phone"]}
    async with site.api("registry", "grid_worker", jurisdiction=COMMUNITY, subject="worker-7") as registry:
        assert (await registry.post(f"/v1/persons/{person_id}/reveal", json=reveal)).status_code == 200
    await page.goto(f"{site.web}/people/{person_id}")
    await expect(page.locator("#audit ~ ul")).to_contain_text("worker-7")
    await expect(page.locator("#audit ~ ul")).to_contain_text("联系本人：电话通知核酸检测（手机号码）")
    await screenshot(page, "admin-person-audit")

    await page.goto(f"{site.web}/screenings")
    await page.select_option("#f-grid_id", label=GRID_NAME)
    await page.fill("#f-household", "曙光路1号3幢201室")
    await page.click("button:has-text('保存')")
    await expect(page.locator("li.screening")).to_contain_text(["曙光路1号3幢201室"])
    await screenshot(page, "admin-screenings")

    await context.close()
    assert blocked == []


async def test_a_worker_works_through_an_assist_list(site: Site, browser: Browser) -> None:
    grid_id = await the_grid(site)
    number = prc_id(birth="19881111", sequence=71)
    person_id = await registered(site, grid_id, number)
    pushed = assist_list(entry("E1", number), entry("E2", prc_id(birth="19881111", sequence=73)), list_id="XC-WEB-1")
    async with httpx.AsyncClient(base_url=site.urls["registry"]) as registry:
        answer = await push(registry, pushed)
        assert answer.status_code == 201, answer.text
    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await sign_in(page, site.web, WORKER, then="/assist")
    await page.click("a:has-text('XC-WEB-1')")
    matched = page.locator("li[data-entry=E1]")
    await expect(matched.locator(f"a[href='/people/{person_id}']")).to_have_text("已在册")
    await expect(page.locator("li[data-entry=E2] [data-status]")).to_have_text("待核查")

    await matched.locator("input[name=note]").fill("已电话联系本人")
    await matched.locator("button[value=located]").tap()
    await expect(page.locator("[role=status]")).to_contain_text("E1")
    await expect(page.locator("li[data-entry=E1] [data-status]")).to_have_text("已落实")
    await expect(page.locator("li[data-entry=E1] input[name=note]")).to_have_value("已电话联系本人")
    await screenshot(page, "worker-assist-list")
    await context.close()
    assert blocked == []


def _sheet(grid_name: str, rows: int) -> bytes:
    """A community's list: `rows` good people, then a wrong ID and a row with no ID and an unknown grid."""
    lines = ["姓名,证件号码,网格,手机号码"]
    for n in range(rows):
        number = prc_id(birth=f"1960{n // 28 % 12 + 1:02d}{n % 28 + 1:02d}", sequence=100 + n // 336)
        lines.append(f"张{n}三,{number},{grid_name},139{n:08d}")
    right = prc_id(birth="19700101", sequence=67)
    lines.append(f"李四,{right[:-1] + ('0' if right[-1] != '0' else '1')},{grid_name},13905719998")
    lines.append("王五,,不存在的网格,13905719997")
    return ("\n".join(lines) + "\n").encode()


async def test_an_import_shows_its_progress_to_the_end_and_offers_the_row_errors(site: Site, browser: Browser) -> None:
    await the_grid(site)
    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await sign_in(page, site.web, ADMIN, then="/imports")
    await screenshot(page, "admin-imports")
    no_ids = "姓名,手机号码\n张三,13905710001\n".encode()
    headless: FilePayload = {"name": "名单.csv", "mimeType": "text/csv", "buffer": no_ids}
    await page.set_input_files("#f-file", headless)
    await page.click("button:has-text('上传并导入')")
    await expect(page.locator("#f-file")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-file-error")).to_contain_text("证件号码")
    await screenshot(page, "admin-import-refused")

    sheet: FilePayload = {"name": "名单.csv", "mimeType": "text/csv", "buffer": _sheet(GRID_NAME, ROWS)}
    await page.set_input_files("#f-file", sheet)
    await page.click("button:has-text('上传并导入')")
    await page.wait_for_url(f"{site.web}/imports/*")
    landed = page.url
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))

    job = page.locator("#import-job")
    assert await job.get_attribute("data-status") in ("queued", "running"), "a long list is still importing"
    await screenshot(page, "admin-import-running")
    await expect(job).to_have_attribute("data-status", "done", timeout=EVENTS_SECONDS * 1000)
    await expect(job.locator("[data-field=imported]")).to_have_text(str(ROWS))
    await expect(job.locator("[data-field=errors_count]")).to_have_text("2")
    bar = page.locator("#import-progress")
    assert await bar.get_attribute("value") == await bar.get_attribute("max") == str(ROWS + 2)
    assert loads == [], "the bar followed the job without reloading the page"
    await expect(page.locator("[data-link=errors]")).to_be_visible()

    await page.goto(landed)
    await expect(page.locator("table")).to_contain_text("居民身份证号码校验码不正确")
    await screenshot(page, "admin-import-done")

    async with page.expect_download() as waiting:
        await page.click("[data-link=errors]")
    download = await waiting.value
    path = await download.path()
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "行号,列,字段,问题"
    assert [line.split(",")[0] for line in lines[1:]][:2] == [str(ROWS + 2), str(ROWS + 3)], lines
    await context.close()
    assert blocked == []
