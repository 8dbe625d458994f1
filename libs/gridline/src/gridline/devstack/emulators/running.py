"""The emulators as a process of their own on a free port, and a client for what they received (for tests)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gridline.devstack import servers
from gridline.devstack.emulators.config import local_environment


@dataclass(frozen=True)
class Emulator:
    url: str
    settings: Mapping[str, str]  # the environment a service needs to send through these emulators

    def received(self, vendor: str, *, phone: str | None = None) -> list[dict[str, Any]]:
        params = {"phone": phone} if phone else {}
        response = httpx.get(f"{self.url}/_emulator/{vendor}/received", params=params, timeout=10)
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def behave(self, vendor: str, **behaviour: Any) -> None:
        httpx.put(f"{self.url}/_emulator/{vendor}/behaviour", json=behaviour, timeout=10).raise_for_status()

    def forget(self, vendor: str) -> None:
        httpx.delete(f"{self.url}/_emulator/{vendor}/received", timeout=10).raise_for_status()


@contextlib.contextmanager
def emulator(directory: Path, *, extra: Mapping[str, str] | None = None) -> Iterator[Emulator]:
    """Start `python -m gridline.devstack.emulators` with fresh local credentials kept in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    port = servers.free_ports(1)[0]
    url = f"http://127.0.0.1:{port}"
    settings = {**local_environment(directory, url), **(extra or {})}
    log = (directory / "emulators.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "gridline.devstack.emulators"],
        env={**os.environ, **settings, "PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(url, process)
        yield Emulator(url, settings)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the emulators exited at start-up")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the emulators did not answer on {url}")
