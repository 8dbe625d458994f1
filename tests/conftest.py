"""Fixtures: the real servers for the session, a private sandbox and running services per test."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from care.main import create_app as create_care
from care.settings import CareSettings
from duty.main import create_app as create_duty
from duty.settings import DutySettings
from fastapi import FastAPI
from gridline.clock import Clock
from gridline.devstack import servers as devservers
from gridline.runtime import Runtime
from gridline.testing import Running, Sandbox, Secrets, Servers, servers_for_tests, stop_servers
from monitoring.main import create_app as create_monitoring
from monitoring.settings import MonitoringSettings
from registry.main import create_app as create_registry
from registry.settings import RegistrySettings

from tests import event_samples

FACTORIES: dict[str, tuple[Callable[..., FastAPI], type[Any]]] = {
    "registry": (create_registry, RegistrySettings),
    "monitoring": (create_monitoring, MonitoringSettings),
    "care": (create_care, CareSettings),
    "duty": (create_duty, DutySettings),
}


def pytest_configure(config: pytest.Config) -> None:
    """Start the servers once, in the controlling process; parallel workers inherit their addresses."""
    if hasattr(config, "workerinput"):
        return
    event_samples.start_run()
    found, started = servers_for_tests()
    os.environ["GRIDLINE_TEST_KAFKA"], os.environ["GRIDLINE_TEST_MONGODB"] = found.kafka, found.mongodb
    config.stash[STARTED] = started


def pytest_unconfigure(config: pytest.Config) -> None:
    started = config.stash.get(STARTED, None)
    if started is not None:
        stop_servers(started)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    event_samples.check_at_the_end(session, exitstatus)


STARTED = pytest.StashKey[Path | None]()


@pytest.fixture(scope="session")
def real_servers() -> Servers:
    found, _ = servers_for_tests()
    return found


@pytest.fixture(scope="session")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Secrets:
    return Secrets(tmp_path_factory.mktemp("auth"))


@pytest.fixture
async def sandbox(real_servers: Servers, secrets: Secrets) -> AsyncIterator[Sandbox]:
    box = Sandbox(real_servers, secrets)
    await box.create_topics()
    yield box
    await box.drop(list(FACTORIES))


class Platform:
    """The services of one test, started on demand with their real lifespans."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.running = Running()

    async def start(self, *names: str, clock: Clock | None = None, **overrides: Any) -> None:
        for name in names:
            factory, settings_class = FACTORIES[name]
            settings = settings_class(**self.sandbox.settings(name, **overrides))
            app = factory(settings, clock=clock)
            app.state.runtime.published_listeners.append(event_samples.record)
            await self.running.start(name, app)

    async def restart(self, name: str, *, clock: Clock | None = None, **overrides: Any) -> None:
        await self.running.stop(name)
        await self.start(name, clock=clock, **overrides)

    def client(self, name: str) -> httpx.AsyncClient:
        return self.running.clients[name]

    def runtime(self, name: str) -> Runtime:
        runtime: Runtime = self.running.apps[name].state.runtime
        return runtime

    async def drain(self) -> None:
        """Publish what the test left in the outboxes, so every event it caused is seen (and sampled)."""
        for app in self.running.apps.values():
            relay = app.state.runtime.relay
            if relay is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(relay.publish_pending(), 10)


@pytest.fixture
async def platform(sandbox: Sandbox) -> AsyncIterator[Platform]:
    running = Platform(sandbox)
    try:
        yield running
        await running.drain()
    finally:
        await running.running.close()


@pytest.fixture
def repo_root() -> Path:
    return devservers.REPO


@pytest.fixture(scope="session", autouse=True)
async def no_task_left_behind() -> AsyncIterator[None]:
    """At the end of a worker's session, cancel what tests left running and name what will not stop.

    The session's event loop cannot close while a task ignores its cancellation: once, after every result
    was in, a worker waited on such a task for good. Its stack is printed instead, and the session ends.
    """
    yield
    current = asyncio.current_task()
    left = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    for task in left:
        task.cancel()
    if not left:
        return
    _, stuck = await asyncio.wait(left, timeout=15)
    for task in stuck:
        print(f"\nwarning: {task!r} did not stop when cancelled; the session ends without it:")
        task.print_stack()
        # Runner.close would wait for it forever; every test has already reported its result.
        asyncio.tasks._unregister_task(task)  # type: ignore[attr-defined]
