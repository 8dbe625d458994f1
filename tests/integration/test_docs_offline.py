"""Each service's interactive docs work with no internet, as in a township office on a government network.

A real Chromium (Debian's, driven by Playwright) opens `/docs` and `/redoc` of every service running on a local
port, with every request to another host aborted, and finds each operation of the service's OpenAPI listed.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gridline.testing import Sandbox
from playwright.async_api import Browser, Page

from tests.integration.pages import local_only
from tests.integration.served import serve

pytestmark = pytest.mark.integration

SERVICES = ("registry", "monitoring", "care", "duty")
# ReDoc's "API docs by Redocly" footer asks for its logo; the image hides itself when that fails, nothing else.
OPTIONAL = {"https://cdn.redoc.ly/redoc/logo-mini.svg"}


async def offline_page(browser: Browser, blocked: list[str]) -> Page:
    """A page that may reach this machine only; what it tried elsewhere is kept in `blocked`."""
    page = await browser.new_page()
    await page.route("**/*", local_only(blocked))
    return page


def operation_ids(url: str) -> set[str]:
    spec = httpx.get(f"{url}/openapi.json").json()
    return {op["operationId"] for operations in spec["paths"].values() for op in operations.values()}


async def test_swagger_ui_and_redoc_list_every_operation_with_the_internet_blocked(
    sandbox: Sandbox, browser: Browser, tmp_path: Path
) -> None:
    blocked: list[str] = []
    page = await offline_page(browser, blocked)
    with serve(sandbox, SERVICES, logs=tmp_path / "logs") as urls:
        for name, url in urls.items():
            expected = operation_ids(url)

            await page.goto(f"{url}/docs")
            await page.wait_for_selector(".opblock", timeout=20_000)
            # Swagger UI lists an operation under each of its tags, as `operations-<tag>-<operationId>`.
            ids = await page.locator(".opblock").evaluate_all("nodes => nodes.map(n => n.id)")
            listed = {op for op in expected if any(i.endswith(f"-{op}") for i in ids)}
            assert listed == expected, f"{name}: Swagger UI does not list {expected - listed}"

            assert blocked == [], f"{name}: Swagger UI reached for the internet: {blocked}"

            await page.goto(f"{url}/redoc")
            await page.wait_for_selector('[data-section-id^="operation/"]', timeout=30_000)
            sections = await page.locator('[data-section-id^="operation/"]').evaluate_all(
                "nodes => nodes.map(n => n.getAttribute('data-section-id'))"
            )
            assert {s.removeprefix("operation/") for s in sections} >= expected, f"{name}: ReDoc misses some"
            assert set(blocked) <= OPTIONAL, f"{name}: ReDoc reached for the internet: {blocked}"
            blocked.clear()
