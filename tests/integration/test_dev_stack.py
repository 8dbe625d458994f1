"""The local stack an operator runs with `./deploy/dev up`: every server and service killed with SIGKILL comes
back by itself on its port, and `up` run at once after a kill finds everything in place.

The stack runs in a folder and on ports of its own (`GRIDLINE_DEV_HOME`, `GRIDLINE_DEV_PORTS=free`), so a
developer's own `up` beside the suite is left alone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gridline.devstack import servers
from gridline.devstack.supervised import Supervisor

pytestmark = pytest.mark.integration

PROGRAMS = ("ferretdb", "kafka", "registry", "monitoring", "care", "duty", "web")
SERVICES = ("registry", "monitoring", "care", "duty", "web")


class DevStack:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.supervisor = Supervisor(home / "stack")

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GRIDLINE_DEV_HOME": str(self.home), "GRIDLINE_DEV_PORTS": "free"}
        return subprocess.run(
            [sys.executable, "-m", "gridline.devstack.cli", *args],
            env=env,
            cwd=servers.REPO,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    @property
    def ports(self) -> dict[str, int]:
        ports: dict[str, int] = json.loads((self.home / "stack" / "ports.json").read_text())
        return ports

    def pid(self, name: str) -> int:
        return int(self.supervisor.states()[name]["pid"])

    def answers(self, name: str) -> bool:
        """The service answers ready, the server accepts connections: a pid alone proves nothing."""
        port = self.ports[name]
        if name in SERVICES:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    dev = DevStack(tmp_path_factory.mktemp("dev-home"))
    started = dev.command("up", "--no-demo")
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield dev
    finally:
        dev.command("down")


def comes_back(stack: DevStack, name: str, old_pid: int, timeout: float = 60) -> float:
    """Seconds until `name` runs as a new process and answers on its port again."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        state = stack.supervisor.states()[name]
        if state["statename"] == "RUNNING" and state["pid"] != old_pid and stack.answers(name):
            return time.monotonic() - began
        time.sleep(0.2)
    raise AssertionError(f"{name} did not come back within {timeout:.0f}s: {stack.supervisor.states()[name]}")


@pytest.mark.parametrize("name", PROGRAMS)
def test_a_program_killed_comes_back_by_itself_on_its_port(stack: DevStack, name: str) -> None:
    port = stack.ports[name]
    pid = stack.pid(name)
    os.kill(pid, signal.SIGKILL)

    seconds = comes_back(stack, name, pid)

    assert stack.ports[name] == port
    print(f"{name} back in {seconds:.1f}s")


@pytest.mark.parametrize("name", ["kafka", "ferretdb", "monitoring"])
def test_up_right_after_a_kill_brings_everything_back_without_a_traceback(stack: DevStack, name: str) -> None:
    pid = stack.pid(name)
    os.kill(pid, signal.SIGKILL)

    again = stack.command("up", "--no-demo")

    assert again.returncode == 0, again.stdout + again.stderr
    assert "Traceback" not in again.stderr
    assert "The platform is up" in again.stdout
    assert all(stack.answers(program) for program in SERVICES)
    comes_back(stack, name, pid)


def test_status_names_each_program_running(stack: DevStack) -> None:
    status = stack.command("status")
    assert status.returncode == 0
    for name in PROGRAMS:
        assert any(line.startswith(name) and line.endswith("running") for line in status.stdout.splitlines())
    assert "everything is running" in status.stdout


def test_up_after_supervisord_itself_was_killed_takes_over_what_it_left_running(stack: DevStack) -> None:
    before = {name: stack.pid(name) for name in PROGRAMS}
    supervisord = int(stack.supervisor.pidfile.read_text())
    os.kill(supervisord, signal.SIGKILL)  # its programs run on, each in a process group of its own

    again = stack.command("up", "--no-demo")

    assert again.returncode == 0, again.stdout + again.stderr
    assert "stopped what a supervisord that died left running" in again.stderr
    after = {name: stack.pid(name) for name in PROGRAMS}
    assert all(after[name] != before[name] for name in PROGRAMS), (before, after)
    assert not any(servers.alive(pid) for pid in before.values()), "an orphan still runs beside its successor"
    assert all(stack.answers(name) for name in PROGRAMS)
