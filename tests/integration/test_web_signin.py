"""Workers sign in through OpenID Connect (code + PKCE); residents see the public board with no account."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser

from tests.integration.pages import Site, phone, screenshot, sign_in

pytestmark = pytest.mark.integration
COMMUNITY = "330106001001"


async def test_a_worker_signs_in_and_the_menu_follows_the_role(site: Site, browser: Browser) -> None:
    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await page.goto(f"{site.web}/desk")
    assert "/dev-idp/authorize" in page.url, "a page for workers sends a stranger to sign in"
    await page.click("button[data-subject='demo-duty-officer-1']")
    await page.wait_for_url(f"{site.web}/desk*")
    await page.goto(site.web)
    menu = await page.locator("nav.menu a").all_inner_texts()
    assert "值班台" in menu
    assert "登记人员" not in menu, "a duty officer's menu has no registration"
    await screenshot(page, "home-duty-officer")
    await context.close()
    assert blocked == []


async def test_a_form_without_the_sessions_token_is_refused(site: Site, browser: Browser) -> None:
    context = await phone(browser)
    page = await context.new_page()
    await sign_in(page, site.web, "demo-grid-worker-1")
    forged = await page.request.post(f"{site.web}/signout", form={"csrf": "forged"})
    assert forged.status == 403
    await page.goto(site.web)
    assert await page.locator("form.signout").count() == 1, "still signed in after a forged sign-out"
    await context.close()


async def test_sign_in_returns_only_to_these_pages(site: Site) -> None:
    async with httpx.AsyncClient(base_url=site.web) as web:
        answer = await web.get("/signin", params={"next": "//evil.example/"}, follow_redirects=False)
        assert answer.status_code == 302
        authorize = httpx.URL(answer.headers["location"])
        assert authorize.params["code_challenge_method"] == "S256"
        elsewhere = {**authorize.params, "redirect_uri": "https://evil.example/cb"}
        assert (await web.get("/dev-idp/authorize", params=elsewhere)).status_code == 400


async def test_a_resident_sees_the_board_with_phones_to_tap(site: Site, browser: Browser) -> None:
    async with site.api("duty", "community_admin", jurisdiction=COMMUNITY) as duty:
        answer = await duty.put(f"/v1/duty-desks/{COMMUNITY}", json={"duty_phone": "0571-87001234"})
        answer.raise_for_status()
    context = await phone(browser)
    page = await context.new_page()
    await page.goto(f"{site.web}/board?community={COMMUNITY}")
    await page.wait_for_selector("h1:has-text('社区公示栏')")
    assert await page.locator("a[href='tel:0571-87001234']").count() == 1
    await screenshot(page, "public-board")
    bad = await page.goto(f"{site.web}/board?community=12")
    assert bad is not None
    assert bad.status == 400
    assert "请求有误" in await page.inner_text("h1")
    await context.close()
