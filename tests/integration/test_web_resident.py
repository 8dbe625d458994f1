"""Residents with no account: self check-in from a worker's link, asking for help, booking a service slot."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from gridline.clock import LOCAL_TZ, SystemClock
from gridline.outbox import make_event
from gridline.testing import eventually
from playwright.async_api import Browser, Page, expect
from registry.persons.events import CLASSIFIED

from tests.integration.care_world import elderly_registered, helper_body, member_facts, register_helper
from tests.integration.monitored import classification
from tests.integration.pages import Site, phone, screenshot
from tests.integration.people import COMMUNITY

pytestmark = pytest.mark.integration
DUTY_PHONE = "0571-87001234"


def tampered(token: str) -> str:
    """The same token with one character of its payload changed: no longer what the service signed."""
    header, payload, signature = token.split(".")
    flipped = "A" if payload[5] != "A" else "B"
    return ".".join([header, payload[:5] + flipped + payload[6:], signature])


async def classify(site: Site, person_id: str, **options: Any) -> None:
    """A classification of the person as registry publishes it: a measure opens a plan, `none` ends it."""
    today = datetime.now(LOCAL_TZ).date()
    data = classification(person_id, starts_on=today - timedelta(days=1), days=7, **options)
    event = make_event(CLASSIFIED, source="/gridline/registry", key=person_id, data=data, clock=SystemClock())
    key, value, headers = event.to_record()
    await site.sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=headers)


async def plan_of(site: Site, person_id: str, status: str) -> dict[str, Any]:
    """The person's plan in `status`, once monitoring has taken the classification in."""
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:

        async def found() -> dict[str, Any]:
            listed = await monitoring.get("/v1/plans", params={"person_id": person_id, "status": status})
            assert listed.status_code == 200, listed.text
            assert len(listed.json()["items"]) == 1
            plan: dict[str, Any] = listed.json()["items"][0]
            return plan

        return await eventually(found)


async def test_a_resident_checks_in_through_the_link_and_sees_whom_to_call(site: Site, browser: Browser) -> None:
    async with site.api("monitoring", "community_admin", jurisdiction=COMMUNITY) as monitoring:
        settings = await monitoring.patch(f"/v1/communities/{COMMUNITY}/settings", json={"duty_phone": DUTY_PHONE})
        assert settings.status_code == 200, settings.text
    await classify(site, "p-web-checkin")
    plan = await plan_of(site, "p-web-checkin", "active")
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY, subject="demo-grid-worker-1") as worker:
        issued = await worker.post(f"/v1/plans/{plan['id']}/self-checkin-links", json={})
        assert issued.status_code == 201, issued.text
    link = issued.json()
    assert link["url"].startswith(f"{site.web}/r/checkin?plan={plan['id']}&t=")

    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await page.goto(link["url"])
    await expect(page.locator("h1")).to_have_text("自主健康打卡")
    await expect(page.locator(f"a[href='tel:{DUTY_PHONE}']")).to_have_count(1)
    await screenshot(page, "resident-checkin-form")
    await page.fill("#temperature", "38.5")
    await page.check("label.check:has-text('咳嗽') input")
    await page.check("label.check:has-text('绿码') input")
    await page.click("button:has-text('提交打卡')")

    await expect(page.locator("h1")).to_have_text("✓ 打卡成功")
    sent = page.locator("section:has(h2:has-text('您提交的内容'))")
    await expect(sent).to_contain_text("38.5 ℃")
    await expect(sent).to_contain_text("咳嗽")
    await expect(sent).to_contain_text("绿码")
    await expect(page.locator("[role=alert]")).to_contain_text("体温偏高")
    call = page.locator(f"a[href='tel:{DUTY_PHONE}']")
    await expect(call).to_have_text(f"☎ {DUTY_PHONE}")
    await screenshot(page, "resident-checkin-done")

    answer = await page.goto(link["url"].replace(link["token"], tampered(link["token"])))
    assert answer is not None
    assert answer.status == 403
    await expect(page.locator("h1")).to_have_text("链接已失效，请联系网格员重新获取")
    assert "Traceback" not in await page.content()
    await screenshot(page, "resident-checkin-link-invalid")

    await classify(site, "p-web-checkin", version=2, measure="none")
    await plan_of(site, "p-web-checkin", "completed")
    ended = await page.goto(link["url"])
    assert ended is not None
    assert ended.status == 410, "the genuine link of an ended plan"
    await expect(page.locator("h1")).to_have_text("链接已失效，请联系网格员重新获取")
    await expect(page.locator("[role=alert]")).to_contain_text("已过期，或相关服务已经结束")
    await context.close()
    assert blocked == []


async def test_a_resident_asks_for_help_and_later_sees_who_is_coming(site: Site, browser: Browser) -> None:
    person = "p-web-help"
    await member_facts(site.sandbox, person, elderly_registered(person))
    async with site.api("care", "grid_worker", jurisdiction=COMMUNITY) as care:

        async def member() -> None:
            assert (await care.get(f"/v1/members/{person}")).status_code == 200

        await eventually(member)
        issued = await care.post(f"/v1/members/{person}/help-links")
        assert issued.status_code == 201, issued.text
        helper = await register_helper(care, site.sandbox.secrets, helper_body("志愿者甲", skills=["medicine"]))
    link = f"{site.web}/r/help?t={issued.json()['token']}"

    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await page.goto(link)
    await expect(page.locator("section:has(#mine)")).to_contain_text("还没有提交过求助")
    await page.select_option("#type", "medicine")
    await page.click("button:has-text('提交求助')")
    await expect(page.locator("#needs-error")).to_have_text("请写下需要什么，例如：降压药两盒")
    await expect(page.locator("#needs")).to_have_attribute("aria-invalid", "true")
    await page.fill("#needs", "降压药两盒")
    await page.fill("#needed_by", (datetime.now(LOCAL_TZ) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    await page.check("input[name=urgent]")
    await screenshot(page, "resident-help-form")
    await page.click("button:has-text('提交求助')")

    await expect(page.locator("[role=status]")).to_contain_text("已收到您的求助")
    row = page.locator("li.request")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("代购药品：降压药两盒")
    await expect(row.locator(".badge")).to_have_text("待派单")
    request_id = await row.get_attribute("data-id")
    await screenshot(page, "resident-help-sent")

    async with site.api("care", "grid_worker", jurisdiction=COMMUNITY) as care:
        assigned = await care.post(f"/v1/requests/{request_id}/assign", json={"helper_id": helper["id"]})
        assert assigned.status_code == 200, assigned.text
    later = await context.new_page()
    await later.goto(link)
    await expect(later.locator("li.request .badge")).to_have_text("已派单")
    await expect(later.locator("li.request")).to_contain_text("帮扶人：志愿者甲")
    await screenshot(later, "resident-help-status")

    answer = await later.goto(link[:-4] + ("abcd" if not link.endswith("abcd") else "efgh"))
    assert answer is not None
    assert answer.status in (403, 410)
    await expect(later.locator("h1")).to_have_text("链接已失效，请联系网格员重新获取")
    await context.close()
    assert blocked == []


async def code_sent_to(site: Site, number: str) -> str:
    """The one-time code in duty's development SMS sink (texts kept with the phone masked), once duty's sender
    job has sent it: the page says a code is on its way as soon as it is queued."""
    sink = site.sandbox.database("duty")["sms_sink"]
    masked = f"{number[:3]}****{number[-4:]}"

    async def texted() -> dict[str, Any]:
        found = await sink.find_one({"phone_masked": masked}, sort=[("sent_at", -1), ("_id", -1)])
        assert found is not None, f"no text to {masked}"
        return found

    latest = await eventually(texted, timeout=20)
    match = re.search(r"\d{6}", latest["text"])
    assert match is not None
    return match.group()


async def ask_for_code(page: Page, number: str) -> None:
    await page.fill("#phone", number)
    await page.click("#send-code")
    await expect(page.locator("[role=status]")).to_contain_text("验证码已发送")


async def test_the_last_slot_goes_to_one_resident_and_the_other_is_told_plainly(site: Site, browser: Browser) -> None:
    tomorrow = (datetime.now(LOCAL_TZ) + timedelta(days=1)).date()
    async with site.api("duty", "community_admin", jurisdiction=COMMUNITY) as duty:
        desk = await duty.put(f"/v1/duty-desks/{COMMUNITY}", json={"duty_phone": DUTY_PHONE})
        assert desk.status_code == 200, desk.text
        body = {
            "community_code": COMMUNITY,
            "service": "开具居住证明",
            "day": tomorrow.isoformat(),
            "first_start": "09:00",
            "last_end": "09:30",
            "minutes": 30,
            "capacity": 1,
        }
        created = await duty.post("/v1/slots", json=body)
        assert created.status_code == 201, created.text
    [slot] = created.json()

    blocked: list[str] = []
    first_context, second_context = await phone(browser, blocked), await phone(browser, blocked)
    first, second = await first_context.new_page(), await second_context.new_page()
    await first.goto(f"{site.web}/board?community={COMMUNITY}")
    await first.click("a:has-text('预约社区服务')")
    await first.click(f"a[href='/r/book?community={COMMUNITY}&day={tomorrow.isoformat()}']")
    await second.goto(f"{site.web}/r/book?community={COMMUNITY}&day={tomorrow.isoformat()}")
    for page in (first, second):
        await expect(page.locator(f"li.slot[data-slot='{slot['id']}']")).to_contain_text("剩余 1 个")
    await screenshot(first, "resident-book-slots")
    for page in (first, second):
        await page.click(f"li.slot[data-slot='{slot['id']}'] a:has-text('预约')")
        await expect(page.locator("h1")).to_have_text("预约：开具居住证明")

    await ask_for_code(first, "13905710011")
    code = await code_sent_to(site, "13905710011")
    await first.fill("#code", f"{(int(code) + 1) % 10**6:06d}")
    await first.click("#book")
    await expect(first.locator("#code-error")).to_have_text("验证码错误或已失效，请重新获取")
    await expect(first.locator("#code")).to_have_attribute("aria-invalid", "true")
    await first.fill("#code", code)
    await screenshot(first, "resident-book-code")
    await first.click("#book")
    await expect(first.locator("h1")).to_have_text("✓ 预约成功")
    await expect(first.locator("#cancel-code")).not_to_be_empty()
    await screenshot(first, "resident-book-done")

    await ask_for_code(second, "13905710022")
    await second.click("#send-code")
    await expect(second.locator("[role=alert]")).to_contain_text("操作太频繁，请 60 秒后再试。")
    await second.fill("#code", await code_sent_to(site, "13905710022"))
    await second.click("#book")
    refusal = second.locator("[role=alert]")
    await expect(refusal).to_contain_text("预约未成功：该时段已约满")
    await expect(refusal).to_contain_text("该时段已约满，请选择其他时段")
    await expect(refusal.locator("a:has-text('选择其他时段')")).to_have_count(1)
    await screenshot(second, "resident-book-refused")

    await first.click("button:has-text('取消这个预约')")
    await expect(first.locator("h1")).to_have_text("✓ 预约已取消")
    await screenshot(first, "resident-book-cancelled")
    await second.goto(f"{site.web}/r/book?community={COMMUNITY}&day={tomorrow.isoformat()}")
    await expect(second.locator(f"li.slot[data-slot='{slot['id']}']")).to_contain_text("剩余 1 个")
    await first_context.close()
    await second_context.close()
    assert blocked == []
