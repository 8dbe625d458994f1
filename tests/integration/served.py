"""The services as real processes on local ports, for clients that need a socket (a fuzzer, a browser).

Each runs `python -m <service>` under uvicorn, as in production, with the test's sandbox settings: its own
databases and topic prefix on the shared Kafka and FerretDB. They are stopped by their process ids.
"""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from gridline.devstack import servers
from gridline.testing import Sandbox

API_SERVICES = ("registry", "monitoring", "care", "duty")


@contextlib.contextmanager
def serve(sandbox: Sandbox, names: tuple[str, ...], *, logs: Path, **overrides: Any) -> Iterator[dict[str, str]]:
    """Start `names` and yield their base URLs; stop them on exit."""
    ports = dict(zip(names, servers.free_ports(len(names)), strict=True))
    environments = {name: {k.upper(): str(v) for k, v in sandbox.settings(name, **overrides).items()} for name in names}
    with _processes(ports, environments, logs) as urls:
        yield urls


@dataclass(frozen=True)
class IdentityProvider:
    """An OpenID Connect provider (Keycloak) the pages sign in with and the four services trust."""

    metadata_url: str
    issuer: str
    jwks: str
    client_id: str = "gridline-web"


@contextlib.contextmanager
def serve_platform(
    sandbox: Sandbox,
    *,
    logs: Path,
    web_port: int | None = None,
    identity: IdentityProvider | None = None,
    **overrides: Any,
) -> Iterator[dict[str, str]]:
    """The four services and the pages, as an operator's `up` runs them: with the demo users' sign-in, or
    with `identity` (then the services trust its tokens instead of the test's own)."""
    web_port = web_port or servers.free_ports(1)[0]
    web_url = f"http://127.0.0.1:{web_port}"
    if identity is not None:
        overrides = {"auth_issuer": identity.issuer, "auth_jwks": identity.jwks, **overrides}
    signin = (
        {"OIDC_METADATA_URL": identity.metadata_url, "OIDC_CLIENT_ID": identity.client_id}
        if identity is not None
        else {"DEV_SIGNIN_KEYS": str(sandbox.secrets.auth_dir)}
    )
    with serve(sandbox, API_SERVICES, logs=logs, self_checkin_page_url=f"{web_url}/r/checkin", **overrides) as urls:
        web_env = {
            "ENVIRONMENT": "test",
            "PUBLIC_URL": web_url,
            "SESSION_SECRET": base64.b64encode(os.urandom(32)).decode(),
            **signin,
            "DESK_POLL_SECONDS": "0.5",
            # A loaded test machine answers slower than a county's server; the journeys judge pages, not speed.
            "UPSTREAM_TIMEOUT_SECONDS": "30",
            **{f"{name.upper()}_URL": url for name, url in urls.items()},
        }
        with _processes({"web": web_port}, {"web": web_env}, logs):
            yield {**urls, "web": web_url}


@contextlib.contextmanager
def _processes(ports: dict[str, int], environments: dict[str, dict[str, str]], logs: Path) -> Iterator[dict[str, str]]:
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs.mkdir(parents=True, exist_ok=True)
    try:
        for name, port in ports.items():
            with (logs / f"{name}.log").open("ab") as log:
                processes[name] = subprocess.Popen(
                    [sys.executable, "-m", name],
                    env={**os.environ, **environments[name], "PORT": str(port)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=servers.REPO,
                )
        for name, port in ports.items():
            _wait_ready(name, port, processes[name], logs)
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(name: str, port: int, process: subprocess.Popen[bytes], logs: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited: {(logs / f'{name}.log').read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{name} not ready after {timeout:.0f}s")
