"""Helpers for the browser journeys: a phone-sized page that may reach this machine only, sign-in as a demo
user through the real OpenID Connect flow, and screenshots kept under the git-ignored `.local/screenshots/`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from gridline.devstack import servers
from gridline.testing import Sandbox
from playwright.async_api import Browser, BrowserContext, Page, Route, ViewportSize


@dataclass
class Site:
    """The running platform of a test module: the services' and the pages' URLs, and tokens to seed data."""

    sandbox: Sandbox
    urls: dict[str, str]

    @property
    def web(self) -> str:
        return self.urls["web"]

    def api(self, service: str, *roles: str, jurisdiction: str, subject: str = "tester") -> httpx.AsyncClient:
        """A client of `service` calling as the given role, for a journey's setup and its checks."""
        headers = self.sandbox.secrets.headers(*roles, jurisdiction=jurisdiction, subject=subject)
        return httpx.AsyncClient(base_url=self.urls[service], headers=headers, timeout=30)


PHONE: ViewportSize = {"width": 360, "height": 740}
SCREENSHOTS = servers.REPO / ".local" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


async def phone(browser: Browser, blocked: list[str] | None = None) -> BrowserContext:
    """A phone-sized, Chinese, Beijing-time browser with no internet: anything from a CDN would be `blocked`."""
    context = await browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", device_scale_factor=2, has_touch=True
    )
    await context.route("**/*", local_only(blocked if blocked is not None else []))
    return context


def local_only(blocked: list[str]) -> Callable[[Route], Awaitable[None]]:
    """A route handler letting requests reach this machine only; what went elsewhere is kept in `blocked`."""

    async def handle(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    return handle


async def sign_in(page: Page, web: str, subject: str, *, then: str = "/") -> None:
    """Sign in as a demo user: the pages send the browser to the identity provider and back (code + PKCE)."""
    await page.goto(f"{web}/signin?next={then}")
    await page.click(f"button[data-subject='{subject}']")
    await page.wait_for_url(f"{web}{then}*")


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
