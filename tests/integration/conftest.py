"""Fixtures for tests that drive a real browser: Debian's Chromium through Playwright."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from gridline.devstack.browser import LAUNCH_ARGS, chromium
from gridline.devstack.emulators.running import Emulator, emulator
from gridline.testing import Sandbox, Secrets, Servers
from playwright.async_api import Browser, async_playwright, expect

from tests.integration.pages import Site
from tests.integration.served import API_SERVICES, serve_platform

# The suite runs its workers side by side with the four services on a shared machine: a page may take longer
# than Playwright's default five seconds to show what it will show. A wrong page still fails, later.
expect.set_options(timeout=20_000)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = os.environ.get("GRIDLINE_CHROMIUM") or str(chromium())
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def vendor_emulators(tmp_path: Path) -> Iterator[Emulator]:
    """The SMS and group-robot vendors' emulators, as a process on a port of their own, with fresh credentials
    (`vendor_emulators.settings` is what a service needs to send through them)."""
    with emulator(tmp_path / "emulators") as running:
        yield running


@pytest.fixture(scope="module")
async def site(
    real_servers: Servers, secrets: Secrets, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Site]:
    """The four services and the pages on local ports, shared by the journeys of one test module."""
    sandbox = Sandbox(real_servers, secrets)
    await sandbox.create_topics()
    try:
        with serve_platform(sandbox, logs=tmp_path_factory.mktemp("site-logs")) as urls:
            yield Site(sandbox=sandbox, urls=urls)
    finally:
        await sandbox.drop(list(API_SERVICES))
