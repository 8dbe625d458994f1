"""`./deploy/dev compose-smoke`: docker-compose.yml run for real on podman, from images built on this machine.

What it proves, each step timed:
  tools     podman (runtime runc), runc and mmdebstrap from Debian; podman-compose 1.6.0 into a tool venv
  images    a bookworm rootfs (mmdebstrap) imported as local/bookworm, and on it every image the compose file
            needs: the services from deploy/service.Dockerfile (BASE_IMAGE), Kafka and Keycloak from the
            artifacts the dev stack fetches from Maven Central, the patched FerretDB for MongoDB, the
            collector and Jaeger built with Go (deploy/compose/local-images.yml swaps them in)
  up        the stack started and every healthcheck passing
  flow      an outside client over the published ports: a returnee registered, the plan, a check-in with
            fever, the incident on duty; the CloudEvents read back from the topics
  restart   a service whose process is killed comes back by its restart policy within 30 s, losing nothing;
            `down` and `up` keep the named volumes' data
  replicas  monitoring and duty at two replicas share the partitions; 40 registrations open one plan each,
            the cut-off announces each missed slot once, each escalation fires once
  teardown  everything removed, volumes included

Downloads, the rootfs and build contexts live under ~/.cache/gridline/compose, never in the repository.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
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


# --- pure logic (unit-tested) --------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Record:
    """One Kafka record as the console consumer prints it (partition, headers, key, value)."""

    topic: str
    partition: int
    headers: dict[str, str]
    key: str
    value: str

    @property
    def type(self) -> str:
        return self.headers.get("ce_type", "")

    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.value)
        return parsed


def parse_records(topic: str, output: str) -> list[Record]:
    """Lines of `Partition:N<TAB>h1:v1,h2:v2<TAB>key<TAB>value`, as `consume` asks the console consumer for."""
    records = []
    for line in output.splitlines():
        parts = line.split("\t", 3)
        if len(parts) != 4 or not parts[0].startswith("Partition:"):
            continue
        headers = {}
        if parts[1] != "NO_HEADERS":
            for pair in parts[1].split(","):
                name, _, value = pair.partition(":")
                headers[name] = value
        records.append(Record(topic, int(parts[0].removeprefix("Partition:")), headers, parts[2], parts[3]))
    return records


def cloudevent_problems(record: Record) -> list[str]:
    """What keeps a record from being a CloudEvent in Kafka binary mode, as the architecture defines it."""
    problems = [f"no {name}" for name in CE_HEADERS if not record.headers.get(name)]
    if record.headers.get("ce_specversion", "1.0") != "1.0":
        problems.append(f"specversion {record.headers['ce_specversion']}")
    if record.headers.get("content-type", "application/json") != "application/json":
        problems.append(f"content-type {record.headers['content-type']}")
    if record.headers.get("ce_partitionkey") and record.key != record.headers["ce_partitionkey"]:
        problems.append("key is not ce_partitionkey")
    try:
        json.loads(record.value)
    except ValueError:
        problems.append("value is not JSON")
    return problems


def repeated(keys: Sequence[Any]) -> list[Any]:
    """The keys seen more than once: what fired twice."""
    return sorted(key for key, count in Counter(keys).items() if count > 1)


def cutoff_after(now: datetime, *, lead: timedelta) -> str:
    """The first whole Beijing minute at least `lead` from `now`, as a community's HH:MM cut-off."""
    moment = (now + lead).astimezone(BEIJING)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if moment.date() != (now.astimezone(BEIJING)).date():
        raise SmokeFailed("too close to midnight in Beijing for a cut-off today; run again after 00:05 there")
    return moment.strftime("%H:%M")


def prc_id(sequence: int, birth: str = "19800312") -> str:
    """A well-formed fictitious resident identity number (checksum included)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    first17 = f"{COUNTY}{birth}{sequence:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def members_with_partitions(describe_output: str) -> dict[str, int]:
    """group -> members that hold at least one partition, from `kafka-consumer-groups --describe --members`."""
    held: Counter[str] = Counter()
    for line in describe_output.splitlines():
        columns = line.split()
        if len(columns) >= 5 and columns[0] != "GROUP" and columns[-1].isdigit() and int(columns[-1]) > 0:
            held[columns[0]] += 1
    return dict(held)


def timings_table(timings: list[tuple[str, float, str]]) -> str:
    width = max((len(name) for name, _, _ in timings), default=4)
    lines = [f"  {name:<{width}}  {seconds:7.1f}s  {outcome}" for name, seconds, outcome in timings]
    total = sum(seconds for _, seconds, _ in timings)
    return "\n".join([*lines, f"  {'total':<{width}}  {total:7.1f}s"])


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


# --- the outside client --------------------------------------------------------------------------------------


# Workers the smoke adds in Keycloak: a realm role and the jurisdiction attribute each.
PEOPLE = {
    "smoke-ops": ("platform_admin", "33"),
    "smoke-admin": ("community_admin", COUNTY),
    "smoke-worker": ("grid_worker", COUNTY),
}


@dataclass
class Users:
    """Workers in the compose stack's Keycloak, and their access tokens (fetched again before they lapse)."""

    admin_password: str
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def admin(self) -> httpx.Client:
        grant = {"grant_type": "password", "client_id": "admin-cli", "username": "admin"}
        answer = httpx.post(
            f"{KEYCLOAK_URL}/realms/master/protocol/openid-connect/token",
            data={**grant, "password": self.admin_password},
            timeout=60,
        )
        answer.raise_for_status()
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return httpx.Client(base_url=f"{KEYCLOAK_URL}/admin/realms/{keycloak.REALM}", headers=headers, timeout=60)

    def create(self) -> None:
        """Each worker as an administrator adds one in the console: a realm role, the jurisdiction, a password."""
        with self.admin() as admin:
            for username, (role, jurisdiction) in PEOPLE.items():
                body = {
                    "username": username,
                    "enabled": True,
                    "firstName": "Smoke",
                    "lastName": role,
                    "email": f"{username}@example.org",
                    "emailVerified": True,
                    "attributes": {"jurisdiction": [jurisdiction]},
                    "credentials": [{"type": "password", "value": self.password, "temporary": False}],
                }
                created = admin.post("/users", json=body)
                if created.status_code == 409:  # kept in keycloak-data from an earlier run: a new password
                    user_id = admin.get("/users", params={"username": username, "exact": "true"}).json()[0]["id"]
                    password = {"type": "password", "value": self.password, "temporary": False}
                    admin.put(f"/users/{user_id}/reset-password", json=password).raise_for_status()
                elif created.status_code == 201:
                    user_id = created.headers["location"].rsplit("/", 1)[1]
                else:
                    raise SmokeFailed(f"Keycloak refused user {username}: {created.status_code} {created.text}")
                granted = admin.get(f"/roles/{role}").raise_for_status().json()
                admin.post(f"/users/{user_id}/role-mappings/realm", json=[granted]).raise_for_status()
        say(f"Keycloak: added {', '.join(PEOPLE)} through its admin API")

    def headers(self, username: str) -> dict[str, str]:
        token, until = self.tokens.get(username, ("", 0.0))
        if time.monotonic() > until:
            token = sign_in(username, self.password)
            self.tokens[username] = token, time.monotonic() + 600
        return {"Authorization": f"Bearer {token}"}


def sign_in(username: str, password: str) -> str:
    """An access token as the pages obtain one: authorization code with PKCE, the login form filled in."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = f"{WEB_URL}/signin/callback"
    issuer = f"{KEYCLOAK_URL}/realms/{keycloak.REALM}/protocol/openid-connect"
    with httpx.Client(timeout=60) as browser:
        query = {
            "client_id": "gridline-web",
            "response_type": "code",
            "scope": "openid profile",
            "redirect_uri": redirect,
            "state": "smoke",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        form = browser.get(f"{issuer}/auth", params=query)
        action = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', form.text)
        if form.status_code != 200 or action is None:
            raise SmokeFailed(f"no Keycloak login form ({form.status_code})")
        # Keycloak marks its cookies Secure; browsers send those to http://localhost, httpx's cookie jar does not.
        cookies = "; ".join(c.split(";", 1)[0] for c in form.headers.get_list("set-cookie"))
        sent = browser.post(
            html.unescape(action.group(1)),
            data={"username": username, "password": password},
            headers={"cookie": cookies},
        )
        location = httpx.URL(sent.headers.get("location", ""))
        code = location.params.get("code")
        if sent.status_code != 302 or not code:
            raise SmokeFailed(f"Keycloak did not sign {username} in ({sent.status_code} {location})")
        grant = {
            "grant_type": "authorization_code",
            "client_id": "gridline-web",
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        }
        answer = browser.post(f"{issuer}/token", data=grant)
        answer.raise_for_status()
        return str(answer.json()["access_token"])


def call(method: str, url: str, headers: dict[str, str], *, expect: int = 200, **kwargs: Any) -> Any:
    """One API call; a 429 (the per-caller rate limit) waits as told and goes again."""
    for _ in range(20):
        answer = httpx.request(method, url, headers=headers, timeout=60, **kwargs)
        if answer.status_code != 429:
            break
        time.sleep(float(answer.headers.get("retry-after", "1")))
    if answer.status_code != expect:
        raise SmokeFailed(f"{method} {url} answered {answer.status_code}, not {expect}: {answer.text[:300]}")
    return answer.json() if answer.content else None


def consume(topic: str, *, timeout_ms: int = 4000) -> list[Record]:
    """Every record of `topic`, read inside the kafka container by Kafka's own console consumer."""
    kafka = f"{PROJECT}_kafka_1"
    argv = [
        "podman",
        "exec",
        kafka,
        "/opt/kafka/bin/kafka-console-consumer.sh",
        "--bootstrap-server=kafka:9092",
        f"--topic={topic}",
        "--from-beginning",
        f"--timeout-ms={timeout_ms}",
        "--property=print.partition=true",
        "--property=print.headers=true",
        "--property=print.key=true",
    ]
    answer = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    return parse_records(topic, answer.stdout)


def kafka_tool(*args: str) -> str:
    return run(["podman", "exec", f"{PROJECT}_kafka_1", *args], quiet=True, timeout=120)


# --- step 4: the first flow ----------------------------------------------------------------------------------


@dataclass
class World:
    """What the flow made, so later steps can find it again."""

    users: Users
    grids: dict[str, str] = field(default_factory=dict)
    person: dict[str, Any] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)
    incident: dict[str, Any] = field(default_factory=dict)
    sequence: int = 100


def returnee(world: World, community: str, **extra: Any) -> dict[str, Any]:
    world.sequence += 1
    return {
        "name": "王建国",
        "document": {"type": "prc_id", "number": prc_id(world.sequence)},
        "phone": f"139057{world.sequence:05d}",
        "community_code": community,
        "grid_id": world.grids[community],
        "episodes": [
            {
                "category": "holiday_returnee",
                "arrival_date": str(datetime.now(BEIJING).date() - timedelta(days=2)),
                "origin_division_code": "420106",
            }
        ],
        **extra,
    }


def prepare(world: World) -> None:
    """Divisions and a grid per community (registry), a duty rotation and a quick escalation chain (duty)."""
    users = world.users
    divisions = f"330106001,北山街道\n{COMMUNITY},曙光社区\n{OTHER_COMMUNITY},保俶社区\n".encode()
    ops = {**users.headers("smoke-ops"), "content-type": "text/csv"}
    imported = call("POST", f"{API['registry']}/v1/divisions/import", ops, content=divisions)
    if imported["errors"]:
        raise SmokeFailed(f"division import: {imported['errors']}")
    admin = users.headers("smoke-admin")
    for community in (COMMUNITY, OTHER_COMMUNITY):
        grid = {
            "community_code": community,
            "name": "第1网格",
            "manager_name": "张网格",
            "manager_phone": "13805710001",
        }
        world.grids[community] = call("POST", f"{API['registry']}/v1/grids", admin, expect=201, json=grid)["id"]
    say(f"registry: divisions imported, grids {', '.join(world.grids.values())}")


def duty_setup(duty: str, admin: dict[str, str], community: str) -> None:
    """Whoever is on duty for `community`, and a chain that escalates a minute after each step."""
    crews = [
        {
            "duty_officer": {"subject": f"officer-{x}", "name": f"值班员{x}"},
            "leader": {"subject": f"leader-{x}", "name": f"领导{x}"},
        }
        for x in ("a", "b")
    ]
    rotation = {
        "community_code": community,
        "name": "值班表",
        "kind": "daily",
        "starts_on": "2021-01-11",
        "shift_starts": ["08:00", "20:00"],
        "crews": crews,
    }
    call("POST", f"{duty}/v1/rotations", admin, expect=201, json=rotation)
    chain = {
        "steps": [
            {"role": "duty_officer", "wait_minutes": 1},
            {"role": "leader", "wait_minutes": 1},
            {"role": "township_desk", "wait_minutes": 1},
        ],
        "max_repeats": 0,
    }
    call("PUT", f"{duty}/v1/escalation-policies/{community}", admin, json=chain)


def plans_of(monitoring: str, worker: dict[str, str], person_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = call("GET", f"{monitoring}/v1/plans", worker, params={"person_id": person_id})[
        "items"
    ]
    return items


def first_plan(monitoring: str, worker: dict[str, str], person_id: str) -> dict[str, Any] | None:
    plans = plans_of(monitoring, worker, person_id)
    return plans[0] if plans else None


FEVER = {"method": "phone", "temperature_c": 38.6, "symptoms": ["cough"], "health_code": "green"}


def first_flow(world: World) -> None:
    users = world.users
    worker, admin = users.headers("smoke-worker"), users.headers("smoke-admin")
    duty_setup(API["duty"], admin, COMMUNITY)
    person = call("POST", f"{API['registry']}/v1/persons", worker, expect=201, json=returnee(world, COMMUNITY))
    measure = person["classification"]["measure"]
    say(f"registry: registered {person['id']} ({person['document_number']}), classified {measure}")
    plan = eventually(
        "a monitoring plan for the returnee",
        lambda: first_plan(API["monitoring"], worker, person["id"]),
        timeout=60,
    )
    say(f"monitoring: plan {plan['id']} {plan['measure']} {plan['status']}, first day {plan['first_day']}")
    earlier = {i["id"] for i in call("GET", f"{API['duty']}/v1/incidents", admin)["items"]}
    checkin = call("POST", f"{API['monitoring']}/v1/plans/{plan['id']}/checkins", worker, expect=201, json=FEVER)
    say(f"monitoring: check-in of {checkin['day']} slot {checkin['slot']} recorded at 38.6 ℃ ({checkin['state']})")

    def incident() -> dict[str, Any] | None:
        items = call("GET", f"{API['duty']}/v1/incidents", admin)["items"]
        return next((i for i in items if i.get("kind") == "fever" and i["id"] not in earlier), None)

    found = eventually("an incident on duty for the fever", incident, timeout=60)
    say(f"duty: incident {found['id']} {found['kind']}/{found['severity']} for {found['assignee']['subject']}")
    world.person, world.plan, world.incident = person, plan, found
    check_events(person["id"])


def _all_of(topic: str, types: Sequence[str]) -> list[Record] | None:
    """The topic's records once each of `types` (prefixes) is among them."""
    records = consume(topic)
    return records if all(any(r.type.startswith(t) for r in records) for t in types) else None


def check_events(person_id: str) -> None:
    """Every step of the flow as a CloudEvent on its topic, and nothing on any topic that is not one."""
    wanted = {
        "registry.person.v1": ("gridline.registry.person.registered.v1", "gridline.registry.person.classified.v1"),
        "monitoring.plan.v1": ("gridline.monitoring.plan.",),
        "monitoring.checkin.v1": ("gridline.monitoring.checkin.recorded.v1",),
        "monitoring.alert.v1": ("gridline.monitoring.alert.raised.v1",),
        "duty.incident.v1": ("gridline.duty.incident.opened.v1",),
    }
    for topic, types in wanted.items():
        records = eventually(f"events on {topic}", functools.partial(_all_of, topic, types), timeout=60)
        bad = {r.headers.get("ce_id", "?"): cloudevent_problems(r) for r in records if cloudevent_problems(r)}
        if bad:
            raise SmokeFailed(f"{topic}: records that are not CloudEvents: {bad}")
        seen = sorted({r.type for r in records})
        say(f"kafka: {topic}: {len(records)} CloudEvents ({', '.join(seen)})")
    registered = consume("registry.person.v1")
    if not any(r.key == person_id for r in registered):
        raise SmokeFailed("the returnee's events are not keyed by the person id")


# --- step 5: a killed service, and down/up ------------------------------------------------------------------


def kill_and_return(compose: Compose, world: World, service: str = "monitoring") -> None:
    """The service's process killed with SIGKILL (as the kernel's OOM killer would) comes back by itself.

    `podman kill` itself is not that: podman 4.3 records it as a stop by the user, after which no restart
    policy (not even `always`) starts the container again; Docker behaves alike for `docker stop`.
    """
    container = f"{PROJECT}_{service}_1"
    before = inspect(container)
    pid, restarts = before["State"]["Pid"], before.get("RestartCount", 0)
    users = world.users
    # Registered while monitoring is down: its event waits in Kafka and the plan must open once it is back.
    killed_at = time.monotonic()
    os.kill(pid, 9)
    say(f"{service}: SIGKILL to its process {pid} (restart: unless-stopped)")
    late = call(
        "POST",
        f"{API['registry']}/v1/persons",
        users.headers("smoke-worker"),
        expect=201,
        json=returnee(world, COMMUNITY),
    )

    def back() -> float | None:
        now = inspect(container)
        if now.get("RestartCount", 0) > restarts and now["State"]["Status"] == "running":
            return time.monotonic() - killed_at
        return None

    seconds = eventually(f"{service} started again by its restart policy", back, timeout=30, every=0.5)
    say(f"{service}: running again after {seconds:.1f}s (restart count {inspect(container).get('RestartCount')})")
    wait_healthy(compose, [service], timeout=120)
    say(f"{service}: healthy {time.monotonic() - killed_at:.1f}s after the kill")
    worker = users.headers("smoke-worker")
    kept = plans_of(API["monitoring"], worker, world.person["id"])
    if [p["id"] for p in kept] != [world.plan["id"]]:
        raise SmokeFailed(f"the plan from before the kill: {kept}")
    plan = eventually(
        "the plan of a returnee registered while monitoring was down",
        lambda: first_plan(API["monitoring"], worker, late["id"]),
        timeout=90,
    )
    say(f"monitoring: nothing lost: the earlier plan is there, and the one registered meanwhile opened ({plan['id']})")


def down_up_keeps_data(compose: Compose, world: World) -> None:
    compose.run("down", quiet=True)
    left = compose.containers()
    if left:
        raise SmokeFailed(f"containers left after down: {[c['Names'] for c in left]}")
    volumes = run(
        ["podman", "volume", "ls", "--format={{.Name}}", f"--filter=label=io.podman.compose.project={PROJECT}"],
        quiet=True,
    )
    say(f"down: no containers; named volumes kept: {', '.join(volumes.split())}")
    up(compose)
    users = world.users
    users.tokens.clear()  # the Keycloak users themselves must have survived, in keycloak-data
    worker, admin = users.headers("smoke-worker"), users.headers("smoke-admin")
    person = call("GET", f"{API['registry']}/v1/persons/{world.person['id']}", worker)
    plans = plans_of(API["monitoring"], worker, world.person["id"])
    incident = call("GET", f"{API['duty']}/v1/incidents/{world.incident['id']}", admin)
    if not plans or plans[0]["id"] != world.plan["id"] or person["id"] != world.person["id"]:
        raise SmokeFailed("data from before down/up is missing")
    events = consume("registry.person.v1")
    if not any(r.key == world.person["id"] for r in events):
        raise SmokeFailed("the returnee's events are gone from Kafka after down/up")
    say(
        f"after down/up: Keycloak users sign in, person {person['id']}, plan {plans[0]['id']}, incident "
        f"{incident['id']} (level {incident['level']}) and {len(events)} person events are all still there"
    )


# --- step 6: two replicas ------------------------------------------------------------------------------------


def replica_urls(compose: Compose, service: str) -> list[str]:
    """Each replica's own address on the compose network (rootful podman routes the host to it)."""
    urls = []
    for container in compose.containers(service):
        networks = inspect(container["Names"][0])["NetworkSettings"]["Networks"]
        urls.append(f"http://{next(iter(networks.values()))['IPAddress']}:8000")
    return sorted(urls)


def replicas(compose: Compose, world: World, *, people: int = 40, fevers: int = 5) -> None:
    scaled = Compose(compose.tool, compose.env_file, [REPLICAS_FILE])
    scaled.run("up", "-d", "--no-build", "--no-deps", "monitoring", "duty", quiet=True)
    wait_healthy(scaled, ["monitoring", "duty"], timeout=300)
    monitoring, duty = replica_urls(scaled, "monitoring"), replica_urls(scaled, "duty")
    if len(monitoring) != 2 or len(duty) != 2:
        raise SmokeFailed(f"replicas: monitoring {monitoring}, duty {duty}")
    say(f"two replicas each: monitoring {', '.join(monitoring)}; duty {', '.join(duty)}")
    users = world.users
    worker, admin = users.headers("smoke-worker"), users.headers("smoke-admin")
    duty_setup(duty[1], admin, OTHER_COMMUNITY)
    # Registrations and plans take well under a minute; the cut-off is then the next whole minute after that.
    cutoff = cutoff_after(datetime.now(UTC), lead=timedelta(seconds=120 + 2 * people))
    call("PATCH", f"{monitoring[1]}/v1/communities/{OTHER_COMMUNITY}/settings", admin, json={"cutoff_time": cutoff})
    say(f"monitoring: cut-off of {OTHER_COMMUNITY} moved to {cutoff} Beijing time")
    registered = [
        call("POST", f"{API['registry']}/v1/persons", worker, expect=201, json=returnee(world, OTHER_COMMUNITY))["id"]
        for _ in range(people + fevers)
    ]
    say(f"registry: {len(registered)} returnees registered in {OTHER_COMMUNITY}")

    def one_plan_each() -> dict[str, dict[str, Any]] | None:
        started = [r for r in consume("monitoring.plan.v1") if r.type.endswith(".plan.started.v1")]
        ours = [r for r in started if r.key in registered] or [
            r for r in started if r.data().get("person_id") in registered
        ]
        persons = [r.data().get("person_id", r.key) for r in ours]
        if twice := repeated(persons):
            raise SmokeFailed(f"more than one plan for {twice}")
        return {r.data()["person_id"]: r.data() for r in ours} if len(set(persons)) == len(registered) else None

    plans = eventually(f"{len(registered)} plans, one each", one_plan_each, timeout=180, every=3)
    say(f"monitoring: {len(plans)} plans, one per returnee, none twice")
    feverish = registered[:fevers]
    for index, person_id in enumerate(feverish):
        plan_id = plans_of(monitoring[index % 2], worker, person_id)[0]["id"]
        call("POST", f"{monitoring[index % 2]}/v1/plans/{plan_id}/checkins", worker, expect=201, json=FEVER)
    say(f"monitoring: {fevers} check-ins with fever, spread over both replicas")
    shared_partitions()
    silent = set(registered[fevers:])
    day = datetime.now(BEIJING).date().isoformat()

    def missed_once() -> list[Record] | None:
        missed = [r for r in consume("monitoring.checkin.v1") if r.type.endswith(".checkin.missed.v1")]
        ours = [r for r in missed if r.data().get("person_id") in set(registered)]
        slots = [(r.data()["person_id"], r.data()["day"], r.data()["slot"]) for r in ours]
        if twice := repeated(slots):
            raise SmokeFailed(f"missed slots announced twice: {twice}")
        if {p for p, d, _ in slots if d == day} - silent:
            raise SmokeFailed("a returnee who checked in was announced as missed")
        return ours if {p for p, _, _ in slots} == silent else None

    seconds_left = datetime.strptime(f"{day} {cutoff}", "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING) - datetime.now(UTC)
    say(f"waiting for the {cutoff} cut-off ({max(seconds_left.total_seconds(), 0):.0f}s away)")
    missed = eventually("every missed slot announced", missed_once, timeout=seconds_left.total_seconds() + 120, every=5)
    say(f"monitoring: the cut-off announced {len(missed)} missed slots, each once")
    escalations_once(feverish, levels=2)


def shared_partitions() -> None:
    described = kafka_tool(
        "/opt/kafka/bin/kafka-consumer-groups.sh",
        "--bootstrap-server=kafka:9092",
        "--describe",
        "--members",
        "--all-groups",
    )
    members = members_with_partitions(described)
    ours = {g: n for g, n in members.items() if g.split(".")[0] in ("monitoring", "duty")}
    alone = sorted(g for g, n in ours.items() if n < 2)
    if not ours or alone:
        raise SmokeFailed(f"consumer groups whose partitions one replica holds alone: {alone or 'no groups'}")
    say(f"kafka: partitions shared by two members in {len(ours)} groups ({', '.join(sorted(ours))})")


def escalations_once(persons: Sequence[str], *, levels: int) -> None:
    """The feverish returnees' incidents in the replicas' community reach `levels`, each step fired once."""

    def escalated() -> list[tuple[str, int]] | None:
        records = [r for r in consume("duty.incident.v1") if r.data().get("community_code") == OTHER_COMMUNITY]
        opening = [r.data() for r in records if r.type.endswith(".opened.v1")]
        if twice := repeated([o["source_id"] for o in opening]):
            raise SmokeFailed(f"alerts that opened two incidents: {twice}")
        opened = {o["incident_id"] for o in opening}
        steps = [(r.data()["incident_id"], r.data()["level"]) for r in records if r.type.endswith(".escalated.v1")]
        if twice := repeated(steps):
            raise SmokeFailed(f"escalations fired twice: {twice}")
        reached = {incident for incident, level in steps if level == levels}
        # A check-in at 38.6 ℃ with a cough raises two alerts (fever, symptoms): an incident each.
        return steps if len(opened) >= len(persons) and reached == opened else None

    found = eventually(f"incidents escalated to level {levels}", escalated, timeout=300, every=5)
    incidents = len({incident for incident, _ in found})
    say(f"duty: {incidents} incidents, one per alert; {len(found)} escalations (levels 1 to {levels}), each fired once")


# --- the whole run -------------------------------------------------------------------------------------------


def env_file() -> Path:
    """The secrets compose asks for (deploy/compose/example.env names them), made for this run in the cache."""
    path = cache() / "smoke.env"
    key_id = "smoke1"
    values = {
        "KEYCLOAK_ADMIN_PASSWORD": secrets.token_urlsafe(18),
        "WEB_SESSION_SECRET": base64.b64encode(os.urandom(32)).decode(),
        "PII_ENCRYPTION_KEYS": f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}",
        "PII_CURRENT_KEY_ID": key_id,
        "PII_HASH_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    path.chmod(0o600)
    return path


def read_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@contextlib.contextmanager
def step(timings: list[tuple[str, float, str]], name: str) -> Iterator[None]:
    say(f"— {name}")
    started = time.monotonic()
    try:
        yield
    except BaseException as exc:
        timings.append((name, time.monotonic() - started, f"FAILED: {str(exc).splitlines()[0][:120]}"))
        raise
    timings.append((name, time.monotonic() - started, "passed"))


def main(*, keep: bool = False) -> None:
    timings: list[tuple[str, float, str]] = []
    compose: Compose | None = None
    failed = False
    try:
        with step(timings, "1 tools"):
            tool = ensure_tools()
        compose = Compose(tool, env_file())
        with step(timings, "2 images"):
            build_images(compose)
        with HealthDriver(compose):
            with step(timings, "3 up, every healthcheck passing"):
                # What an interrupted run left, second replicas included.
                Compose(compose.tool, compose.env_file, [REPLICAS_FILE]).run(
                    "down", "--volumes", quiet=True, check=False
                )
                up(compose)
            world = World(Users(read_env(compose.env_file)["KEYCLOAK_ADMIN_PASSWORD"]))
            with step(timings, "4 first flow over the published ports"):
                world.users.create()
                prepare(world)
                first_flow(world)
            with step(timings, "5a killed service restarted, nothing lost"):
                kill_and_return(compose, world)
            with step(timings, "5b down and up keep the volumes"):
                down_up_keeps_data(compose, world)
            with step(timings, "6 two replicas of monitoring and duty"):
                replicas(compose, world)
    except (SmokeFailed, subprocess.CalledProcessError, httpx.HTTPError, OSError) as exc:
        failed = True
        say(f"FAILED: {exc}")
    finally:
        if compose is not None and not keep:
            with step(timings, "7 teardown"):
                Compose(compose.tool, compose.env_file, [REPLICAS_FILE]).run(
                    "down", "--volumes", quiet=True, check=False
                )
        print("\nsteps and their times:\n" + timings_table(timings), flush=True)
    if failed:
        raise SystemExit(1)
