"""The container side of `./deploy/dev compose-smoke`: podman and its configuration, the locally built images,
podman-compose over docker-compose.yml and its overrides, and the healthchecks podman 4.3 runs only with systemd.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import httpx

from gridline.devstack import keycloak, servers

REPO = servers.REPO
DEPLOY = servers.DEPLOY
LOCAL_IMAGES = DEPLOY / "compose" / "local-images"
FILES = (REPO / "docker-compose.yml", DEPLOY / "compose" / "local-images.yml", DEPLOY / "compose" / "podman.yml")
REPLICAS_FILE = DEPLOY / "compose" / "replicas.yml"
PROJECT = "gridline-smoke"  # its own project: an operator's `gridline` stack on this machine is left alone
PODMAN_COMPOSE_VERSION = "1.6.0"
APT_PACKAGES = ("podman", "runc", "mmdebstrap")
CONTAINERS_CONF = Path("/etc/containers/containers.conf")
# podman 4.3 on these hosts: crun refuses cgroups in hybrid mode, setting RLIMIT_NOFILE/NPROC is refused, and
# there is no systemd to manage cgroups.
CONTAINERS_SETTINGS: dict[str, dict[str, Any]] = {
    "containers": {"default_ulimits": []},
    "engine": {"cgroup_manager": "cgroupfs", "runtime": "runc"},
}
BASE_IMAGE = "localhost/local/bookworm"
PYTHON_IMAGE = "localhost/local/python-bookworm:3.11"
# Jaeger 2.14.1 (the compose file's) is no Go module version: the proxy serves Jaeger 2 under its v1 tags, the
# newest of which, v1.76.0, is Jaeger 2.13.0.
JAEGER_MODULE = "v1.76.0"
OTELCOL_VERSION = "v0.139.0"
BEIJING = timezone(timedelta(hours=8))
COUNTY, COMMUNITY, OTHER_COMMUNITY = "330106", "330106001001", "330106001002"
KEYCLOAK_URL = "http://localhost:8080"
WEB_URL = "http://localhost:8100"
API = {"registry": "http://localhost:8101", "monitoring": "http://localhost:8102", "duty": "http://localhost:8104"}
# The order compose's depends_on gives, waited on tier by tier (see `up`).
TIERS = (
    ("kafka", "mongo", "keycloak", "jaeger", "otel-collector"),
    ("topics",),
    ("registry", "monitoring", "care", "duty"),
    ("web",),
)
CE_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_partitionkey", "content-type")
T = TypeVar("T")


class SmokeFailed(Exception):
    """A step saw the stack do something other than what it should; said in one line."""


def say(message: str) -> None:
    print(f"[compose-smoke] {message}", flush=True)


def containers_conf(current: str | None) -> str | None:
    """containers.conf text with CONTAINERS_SETTINGS in force, or None when `current` already has them."""
    parsed = tomllib.loads(current) if current else {}
    if all(parsed.get(t, {}).get(k) == v for t, kv in CONTAINERS_SETTINGS.items() for k, v in kv.items()):
        return None
    merged = {table: dict(values) for table, values in parsed.items() if isinstance(values, dict)}
    for table, values in CONTAINERS_SETTINGS.items():
        merged.setdefault(table, {}).update(values)
    lines = ["# Written by ./deploy/dev compose-smoke (podman 4.3 needs runc, cgroupfs and no default ulimits)."]
    for key, value in parsed.items():
        if not isinstance(value, dict):
            lines.append(f"{key} = {_toml_value(value)}")
    for table, values in merged.items():
        lines += ["", f"[{table}]", *(f"{k} = {_toml_value(v)}" for k, v in values.items() if not isinstance(v, dict))]
        for sub, inner in ((k, v) for k, v in values.items() if isinstance(v, dict)):
            lines += ["", f"[{table}.{sub}]", *(f"{k} = {_toml_value(v)}" for k, v in inner.items())]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def probe_delay(status: str, interval: float, start_interval: float = 2.0) -> float:
    """Seconds until a container's next healthcheck: often while it is starting, then at its interval."""
    return interval if status == "healthy" else min(interval, start_interval)


# --- running things ------------------------------------------------------------------------------------------


def run(argv: Sequence[str], *, quiet: bool = False, check: bool = True, timeout: float | None = None) -> str:
    """Run a command; its output is returned (and echoed unless quiet). A failure says what ran."""
    answer = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    if not quiet and answer.stdout.strip():
        print(answer.stdout.rstrip(), flush=True)
    if check and answer.returncode != 0:
        tail = "\n".join((answer.stderr or answer.stdout).strip().splitlines()[-15:])
        raise SmokeFailed(f"{' '.join(argv[:6])} … exited {answer.returncode}:\n{tail}")
    return answer.stdout


def cache() -> Path:
    path = servers.cache_dir() / "compose"
    path.mkdir(parents=True, exist_ok=True)
    return path


def eventually(what: str, probe: Callable[[], T | None], *, timeout: float, every: float = 1.0) -> T:
    """`probe`'s first answer other than None (or a raised error) within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            answer = probe()
            if answer is not None:
                return answer
        except (httpx.HTTPError, SmokeFailed, AssertionError, KeyError, ValueError) as exc:
            last = exc
        time.sleep(every)
    raise SmokeFailed(f"{what}: not within {timeout:.0f}s" + (f" (last: {last})" if last else ""))


# --- step 1: tools -------------------------------------------------------------------------------------------


def ensure_tools() -> Path:
    """podman, runc and mmdebstrap from apt if missing, containers.conf, and podman-compose; its path."""
    missing = [name for name in APT_PACKAGES if shutil.which(name) is None]
    if missing:
        say(f"installing {' '.join(missing)} with apt-get")
        run(["apt-get", "update", "-q"], quiet=True)
        run(["apt-get", "install", "-y", "-q", *APT_PACKAGES], quiet=True)
    current = CONTAINERS_CONF.read_text() if CONTAINERS_CONF.exists() else None
    wanted = containers_conf(current)
    if wanted is not None:
        if current is not None:
            backup = CONTAINERS_CONF.with_name("containers.conf.before-gridline")
            shutil.copy2(CONTAINERS_CONF, backup)
            say(f"kept the previous {CONTAINERS_CONF} as {backup}")
        CONTAINERS_CONF.parent.mkdir(parents=True, exist_ok=True)
        CONTAINERS_CONF.write_text(wanted)
        say(
            f'wrote {CONTAINERS_CONF}: [containers] default_ulimits = [], [engine] cgroup_manager = "cgroupfs", '
            'runtime = "runc" (podman 4.3 here: crun refuses hybrid cgroups, rlimits are refused, no systemd)'
        )
    venv = servers.cache_dir() / f"podman-compose-{PODMAN_COMPOSE_VERSION}"
    tool = venv / "bin" / "podman-compose"
    if not tool.exists():
        say(f"installing podman-compose {PODMAN_COMPOSE_VERSION} from PyPI into {venv}")
        run([sys.executable, "-m", "venv", "--clear", str(venv)], quiet=True)
        run([str(venv / "bin" / "pip"), "install", "-q", f"podman-compose=={PODMAN_COMPOSE_VERSION}"], quiet=True)
    say(run(["podman", "--version"], quiet=True).strip() + ", " + run([str(tool), "--version"], quiet=True).split()[2])
    return tool


# --- step 2: images ------------------------------------------------------------------------------------------


def image_exists(name: str) -> bool:
    return subprocess.run(["podman", "image", "exists", name], check=False).returncode == 0


def build_base() -> None:
    """local/bookworm from a minbase rootfs made by mmdebstrap, kept as a tar in the cache.

    The host's own certificate authorities (/usr/local/share/ca-certificates) go in too: builds on top fetch
    from Debian and PyPI, and a host behind a TLS-inspecting proxy trusts it only through them.
    """
    tar = cache() / "bookworm-rootfs.tar"
    if not tar.exists():
        say("making a Debian bookworm rootfs with mmdebstrap (once; about a minute)")
        partial = tar.with_suffix(".partial")
        hook = (
            'cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null; '
            'chroot "$1" update-ca-certificates >/dev/null; rm -rf "$1"/var/lib/apt/lists/*'
        )
        run(
            [
                "mmdebstrap",
                "--quiet",
                "--variant=minbase",
                "--include=ca-certificates,passwd",
                f"--customize-hook={hook}",
                "--format=directory",
                "bookworm",
                str(partial),
                "http://deb.debian.org/debian",
            ],
            quiet=True,
        )
        with tar.open("wb") as out:
            subprocess.run(["tar", "-C", str(partial), "-c", "."], stdout=out, check=True)
        shutil.rmtree(partial)
    if not image_exists(BASE_IMAGE):
        with tar.open("rb") as rootfs:
            subprocess.run(["podman", "import", "-", BASE_IMAGE], stdin=rootfs, check=True, capture_output=True)
        say(f"imported {BASE_IMAGE} from {tar}")


def context(name: str, artifacts: dict[str, Path]) -> Path:
    """A build context in the cache: the recipe from deploy/compose/local-images/<name> plus artifacts."""
    where = cache() / "contexts" / name
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(LOCAL_IMAGES / name, where)
    for target, source in artifacts.items():
        if source.is_dir():
            run(["cp", "-al", str(source), str(where / target)], quiet=True)  # links: no second copy of jars
        else:
            shutil.copy2(source, where / target)
    return where


def podman_build(tag: str, where: Path, **args: str) -> None:
    argv = ["podman", "build", "-q", "-t", tag, *(f"--build-arg={k}={v}" for k, v in args.items()), str(where)]
    run(argv, quiet=True)
    say(f"built {tag}")


def go_build(name: str, version: str, build: Callable[[Path], None]) -> Path:
    """A static Go binary, built once per version into the cache."""
    binary = cache() / f"{name}-{version}" / name
    if not binary.exists():
        say(f"building {name} {version} with Go (once; several minutes on two cores)")
        binary.parent.mkdir(parents=True, exist_ok=True)
        build(binary)
    return binary


def _build_otelcol(binary: Path) -> None:
    work = binary.parent / "build"
    env = {**os.environ, "CGO_ENABLED": "0", "GOBIN": str(work)}
    subprocess.run(
        ["go", "install", f"go.opentelemetry.io/collector/cmd/builder@{OTELCOL_VERSION}"], env=env, check=True
    )
    manifest = LOCAL_IMAGES / "otelcol" / "builder.yaml"
    out = work / "out"
    subprocess.run([str(work / "builder"), f"--config={manifest}", f"--output-path={out}"], env=env, check=True)
    os.replace(out / "otelcol-contrib", binary)


def _build_jaeger(binary: Path) -> None:
    env = {**os.environ, "CGO_ENABLED": "0"}
    module = f"github.com/jaegertracing/jaeger@{JAEGER_MODULE}"
    listing = subprocess.run(["go", "mod", "download", "-json", module], env=env, check=True, capture_output=True)
    source = json.loads(listing.stdout)["Dir"]
    partial = binary.with_suffix(".partial")
    subprocess.run(["go", "build", "-trimpath", "-o", str(partial), "./cmd/jaeger"], cwd=source, env=env, check=True)
    os.replace(partial, binary)


def build_images(compose: Compose) -> None:
    build_base()
    base = {"DEBIAN_IMAGE": BASE_IMAGE}
    podman_build(PYTHON_IMAGE, context("python", {}), **base)
    podman_build("localhost/local/kafka:4.1.1", context("kafka", {"libs": servers.kafka_libs()}), **base)
    dist = keycloak.distribution()
    podman_build("localhost/local/keycloak:26.5.6", context("keycloak", {"keycloak": dist}), **base)
    ferretdb = servers.ferretdb_binary()
    podman_build("localhost/local/ferretdb:v1.24.2", context("ferretdb", {"ferretdb": ferretdb}), **base)
    otelcol = go_build("otelcol-contrib", OTELCOL_VERSION, _build_otelcol)
    podman_build("localhost/local/otelcol-contrib:0.139.0", context("otelcol", {"otelcol-contrib": otelcol}), **base)
    jaeger = go_build("jaeger", JAEGER_MODULE, _build_jaeger)
    podman_build("localhost/local/jaeger:2.13.0", context("jaeger", {"jaeger": jaeger}), **base)
    say("building the service images from deploy/service.Dockerfile on the local Python base")
    compose.run("build", quiet=True)


# --- the compose runner and its healthchecks -----------------------------------------------------------------


@dataclass
class Compose:
    """podman-compose over docker-compose.yml and the local-images override, in the smoke's own project."""

    tool: Path
    env_file: Path
    extra: list[Path] = field(default_factory=list)

    def run(self, *args: str, quiet: bool = False, check: bool = True) -> str:
        files = [f"--file={path}" for path in (*FILES, *self.extra)]
        argv = [str(self.tool), f"--project-name={PROJECT}", f"--env-file={self.env_file}", *files, *args]
        return run(argv, quiet=quiet, check=check, timeout=1800)

    def containers(self, service: str | None = None) -> list[dict[str, Any]]:
        labels = [f"--filter=label=io.podman.compose.project={PROJECT}"]
        if service:
            labels.append(f"--filter=label=io.podman.compose.service={service}")
        listed: list[dict[str, Any]] = json.loads(run(["podman", "ps", "-a", "--format=json", *labels], quiet=True))
        return listed


def inspect(container: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = json.loads(run(["podman", "inspect", container], quiet=True))
    return found[0]


def state(container: str) -> tuple[str, str]:
    """(status, health) of a container: running/exited/…, and healthy/starting/unhealthy or ''."""
    answer = inspect(container)["State"]
    return answer["Status"], (answer.get("Health") or answer.get("Healthcheck") or {}).get("Status", "")


class HealthDriver:
    """Runs the containers' healthchecks, as systemd timers would: podman 4.3 schedules them only through
    systemd, and without it (as in many containers and CI machines) no healthcheck ever runs on its own.

    Each container with a healthcheck is probed often until healthy, then at its own interval.
    """

    def __init__(self, compose: Compose) -> None:
        self._compose = compose
        self._stop = threading.Event()
        self._due: dict[str, float] = {}
        self._busy: set[str] = set()
        self._pool = ThreadPoolExecutor(max_workers=6)
        self._thread = threading.Thread(target=self._loop, name="healthchecks", daemon=True)

    def __enter__(self) -> HealthDriver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            with contextlib.suppress(SmokeFailed, subprocess.SubprocessError, ValueError):
                for container in self._compose.containers():
                    name = container["Names"][0]
                    if container.get("State") != "running" or name in self._busy:
                        continue
                    if time.monotonic() >= self._due.get(name, 0):
                        self._busy.add(name)
                        self._pool.submit(self._probe, name)

    def _probe(self, name: str) -> None:
        try:
            config = inspect(name)["Config"].get("Healthcheck") or {}
            if not config.get("Test") or config["Test"][0] == "NONE":
                self._due[name] = float("inf")
                return
            subprocess.run(["podman", "healthcheck", "run", name], capture_output=True, timeout=60, check=False)
            interval = (config.get("Interval") or 30_000_000_000) / 1e9
            self._due[name] = time.monotonic() + probe_delay(state(name)[1], interval)
        except (SmokeFailed, subprocess.SubprocessError, IndexError, KeyError):
            self._due[name] = time.monotonic() + 2
        finally:
            self._busy.discard(name)


def ready(status: str, health: str) -> bool:
    """Healthy, or running when the service declares no healthcheck (compose's `service_started`)."""
    return status == "running" and health in ("healthy", "")


def wait_healthy(compose: Compose, services: Sequence[str], *, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    for service in services:
        while True:
            containers = compose.containers(service)
            states = {c["Names"][0]: state(c["Names"][0]) for c in containers}
            if service == "topics":
                done = [
                    inspect(name)["State"]["ExitCode"] for name, (status, _) in states.items() if status == "exited"
                ]
                if done and done[0] != 0:
                    raise SmokeFailed(f"topics exited {done[0]}: {run(['podman', 'logs', *states][:3], quiet=True)}")
                if done:
                    break
            elif states and all(ready(status, health) for status, health in states.values()):
                break
            if time.monotonic() > deadline:
                logs = "".join(run(["podman", "logs", "--tail=20", n], quiet=True, check=False) for n in states)
                raise SmokeFailed(f"{service} not healthy within {timeout:.0f}s: {states}\n{logs}")
            time.sleep(1)
        said = "completed" if service == "topics" else "healthy" if any(h for _, h in states.values()) else "running"
        say(f"{service}: {said}")


def up(compose: Compose) -> None:
    """Tier by tier in depends_on order, each waited healthy: podman-compose 1.6 skips `service_healthy`
    conditions on podman older than 4.6, so it would start a service before what it waits for is ready.

    --no-deps: podman-compose turns depends_on into `podman run --requires`, and podman 4.3 then refuses to
    start a service whose dependency (topics) has a dependency of its own that is already running ("depends on
    container … not found in input list"). The tiers give the order instead.
    """
    for tier in TIERS:
        compose.run("up", "-d", "--no-build", "--no-deps", *tier, quiet=True)
        wait_healthy(compose, tier)
