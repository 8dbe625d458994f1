"""Obtain, cache, start and stop the real servers: Apache Kafka (KRaft) and FerretDB.

Downloads go to the user's cache directory (jars from Maven Central, FerretDB built with the Go toolchain),
so only the first run on a machine waits for them. Servers are started on local ports and stopped by the
process ids recorded in the state directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

KAFKA_VERSION = "4.1.1"
FERRETDB_VERSION = "v1.24.2"
REPO = Path(__file__).resolve().parents[5]
DEPLOY = REPO / "deploy"


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "gridline"
    path.mkdir(parents=True, exist_ok=True)
    return path


def say(message: str) -> None:
    print(f"[gridline] {message}", file=sys.stderr, flush=True)


def once(root: Path, make: Callable[[], None]) -> None:
    """Run `make` to fill the cache folder `root` unless an earlier run completed it.

    Parallel test workers ask at once: one makes it under a lock, the others wait and then find it complete.
    """
    if (root / ".complete").exists():
        return
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".complete").exists():
            make()
            (root / ".complete").touch()


def kafka_libs() -> Path:
    """The broker's jars, fetched once with Maven into the cache."""
    libs = cache_dir() / f"kafka-{KAFKA_VERSION}" / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    say(f"downloading Apache Kafka {KAFKA_VERSION} jars from Maven Central (first run only)...")
    _require("mvn", "java")
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(DEPLOY / "kafka" / "pom.xml"),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={libs}",
        ],
        check=True,
        stdout=sys.stderr,  # `servers` prints environment lines on stdout that callers eval; keep them clean
    )
    marker.touch()
    return libs


FERRETDB_PATCH = DEPLOY / "ferretdb" / f"ferretdb-{FERRETDB_VERSION}.patch"


def ferretdb_binary() -> Path:
    """FerretDB built with the Go toolchain from its module source plus our patch, once per patch, into the cache."""
    digest = hashlib.sha256(FERRETDB_PATCH.read_bytes()).hexdigest()[:12]
    binary = cache_dir() / f"ferretdb-{FERRETDB_VERSION}-{digest}" / "bin" / "ferretdb"
    if binary.exists():
        return binary
    binary.parent.mkdir(parents=True, exist_ok=True)
    with (binary.parent / ".build-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers: one builds, the others wait for it
        if not binary.exists():
            _build_ferretdb(binary)
    return binary


def _build_ferretdb(binary: Path) -> None:
    say(f"building FerretDB {FERRETDB_VERSION} with Go and {FERRETDB_PATCH.name} (once per patch, a few minutes)...")
    _require("go", "git")
    env = {**os.environ, "CGO_ENABLED": "0"}
    module = f"github.com/FerretDB/FerretDB@{FERRETDB_VERSION}"
    listing = subprocess.run(
        ["go", "mod", "download", "-json", module], check=True, env=env, capture_output=True, text=True
    )
    with tempfile.TemporaryDirectory(dir=binary.parent) as work:
        source = Path(work) / "src"
        shutil.copytree(json.loads(listing.stdout)["Dir"], source)
        source.chmod(0o755)
        for path in source.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        # A module-proxy copy lacks the generated version file the binary insists on at start-up.
        (source / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
        subprocess.run(["git", "apply", "--whitespace=nowarn", str(FERRETDB_PATCH)], check=True, cwd=source)
        built = Path(work) / "ferretdb"
        subprocess.run(["go", "build", "-o", str(built), "./cmd/ferretdb"], check=True, env=env, cwd=source)
        os.replace(built, binary)


@dataclass
class Stack:
    """Where the servers of one state directory listen, and their process ids."""

    state_dir: str
    kafka_port: int
    controller_port: int
    mongo_port: int
    kafka_pid: int = 0
    ferretdb_pid: int = 0

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongodb_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/?directConnection=true"

    def save(self) -> None:
        (Path(self.state_dir) / "stack.json").write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, state_dir: Path) -> Stack | None:
        path = state_dir / "stack.json"
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text()))


def start(state_dir: Path, *, preferred: tuple[int, int, int] | None = None) -> Stack:
    """Start Kafka and FerretDB, or whichever of them is down, in place.

    A state directory keeps its ports for as long as its stack lives, so a server that died comes back on
    the same port over the same data, and the services still pointing at it carry on. A server still
    running is never started twice, and FerretDB is never started over data another process serves.
    Several processes may ask at once (parallel test workers): a lock file lets one start them and the
    others find them running.
    """
    state_dir = state_dir.resolve()  # servers are told absolute paths, so they name their data unambiguously
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _start_locked(state_dir, preferred)


def _start_locked(state_dir: Path, preferred: tuple[int, int, int] | None) -> Stack:
    stack = Stack.load(state_dir)
    if stack and alive(stack.kafka_pid) and alive(stack.ferretdb_pid):
        return stack
    libs, ferretdb = kafka_libs(), ferretdb_binary()
    if stack is None:
        ports = preferred if preferred and all(port_free(p) for p in preferred) else free_ports(3)
        stack = Stack(str(state_dir), *ports)
    if not alive(stack.ferretdb_pid):
        _refuse_second_server(f"file:{state_dir / 'ferretdb'}/", "FerretDB", stack.mongo_port)
        say(f"starting FerretDB on port {stack.mongo_port}")
        stack.ferretdb_pid = _start_ferretdb(ferretdb, state_dir, stack.mongo_port)
    if not alive(stack.kafka_pid):
        _refuse_second_server(str(state_dir / "server.properties"), "Kafka", stack.kafka_port, stack.controller_port)
        say(f"starting Kafka on port {stack.kafka_port}")
        stack.kafka_pid = _start_kafka(libs, state_dir, stack)
    stack.save()
    try:
        wait_for_port(stack.mongo_port, "FerretDB", pid=stack.ferretdb_pid, timeout=60)
        wait_for_kafka(stack, timeout=120)
    except Exception:
        stop(state_dir)
        raise
    return stack


def _refuse_second_server(marker: str, name: str, *ports: int) -> None:
    """Stop before two servers share one data folder (`marker` names it on their command line), or before
    a server starts anywhere but on its own port."""
    for pid, command in _processes():
        if marker in command and alive(pid):
            raise RuntimeError(f"{name} of {marker} is already running as process {pid}; stop it first")
    for port in ports:
        if not port_free(port):
            raise RuntimeError(f"{name} cannot restart in place: port {port} is taken by another program")


def _processes() -> list[tuple[int, str]]:
    listing = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, check=False).stdout
    found = []
    for line in listing.splitlines():
        pid, _, command = line.strip().partition(" ")
        if pid.isdigit():
            found.append((int(pid), command))
    return found


def stop(state_dir: Path) -> None:
    stack = Stack.load(state_dir)
    if stack is None:
        return
    for pid in (stack.kafka_pid, stack.ferretdb_pid):
        terminate(pid)
    (state_dir / "stack.json").unlink(missing_ok=True)


def start_database(state_dir: Path) -> tuple[int, str]:
    """One FerretDB on a free port over `state_dir` (for tests of the database itself); returns pid and URL."""
    (port,) = free_ports(1)
    pid = _start_ferretdb(ferretdb_binary(), state_dir, port)
    wait_for_port(port, "FerretDB", pid=pid, timeout=60)
    return pid, f"mongodb://127.0.0.1:{port}/?directConnection=true"


# Go's collector runs when the heap has grown by GOGC % since the last collection. At Go's default of 100 it
# took a tenth of FerretDB's CPU under a check-in load, with a live heap of tens of MB; 400 trades a few
# hundred MB at most for most of that time. An operator's own GOGC wins.
FERRETDB_GOGC = "400"


def ferretdb_command(binary: Path, state_dir: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of FerretDB over `state_dir`'s data, on `port`."""
    data = state_dir / "ferretdb"
    data.mkdir(parents=True, exist_ok=True)
    argv = [
        str(binary),
        "--handler=sqlite",
        f"--sqlite-url=file:{data}/",
        f"--listen-addr=127.0.0.1:{port}",
        f"--state-dir={data}",
        "--telemetry=disable",
        # Its pprof and metrics, off unless a bench asks (bench/profiling.py reads the CPU profile there).
        f"--debug-addr={os.environ.get('GRIDLINE_FERRETDB_DEBUG_ADDR', '-')}",
        "--log-level=warn",
        "--test-enable-nested-pushdown",  # dotted-path conditions reach the planner too (see the patch)
    ]
    return argv, {"GOGC": os.environ.get("GOGC", FERRETDB_GOGC)}


def _start_ferretdb(binary: Path, state_dir: Path, port: int) -> int:
    argv, env = ferretdb_command(binary, state_dir, port)
    log = (state_dir / "ferretdb.log").open("ab")
    process = subprocess.Popen(
        argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **env}
    )
    return process.pid


def kafka_command(libs: Path, state_dir: Path, stack: Stack) -> list[str]:
    """The broker's command line over `state_dir`'s data; formats its storage the first time."""
    data = state_dir / "kafka"
    logs = state_dir / "kafka-logs"
    logs.mkdir(parents=True, exist_ok=True)
    properties = state_dir / "server.properties"
    properties.write_text(_server_properties(stack, data))
    java = [
        "java",
        "-Xms256m",
        "-Xmx512m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        f"-Dlog4j2.configurationFile=file:{DEPLOY / 'kafka' / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={logs}",
        "-cp",
        f"{libs}/*",
    ]
    if not (data / "meta.properties").exists():
        subprocess.run(
            [*java, "kafka.tools.StorageTool", "format", "-t", uuid.uuid4().hex[:22], "-c", str(properties)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return [*java, "kafka.Kafka", str(properties)]


def _start_kafka(libs: Path, state_dir: Path, stack: Stack) -> int:
    argv = kafka_command(libs, state_dir, stack)
    out = (state_dir / "kafka-logs" / "stdout.log").open("ab")
    process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return process.pid


def _server_properties(stack: Stack, data: Path) -> str:
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{stack.controller_port}",
            f"listeners=PLAINTEXT://127.0.0.1:{stack.kafka_port},CONTROLLER://127.0.0.1:{stack.controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{stack.kafka_port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            f"log.dirs={data}",
            "num.partitions=3",
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "group.initial.rebalance.delay.ms=0",
            "log.flush.interval.messages=1",  # a dev broker alone has no replica to survive a crash on
            "",
        ]
    )


def wait_for_kafka(stack: Stack, *, timeout: float) -> None:
    wait_for_port(stack.kafka_port, "Kafka", pid=stack.kafka_pid, timeout=timeout)
    from gridline.devstack.probe import kafka_answers

    deadline = time.monotonic() + timeout
    while not kafka_answers(stack.kafka_bootstrap):
        if time.monotonic() > deadline or not alive(stack.kafka_pid):
            raise RuntimeError(f"Kafka did not become ready; see {stack.state_dir}/kafka-logs/server.log")
        time.sleep(0.5)


def wait_for_port(port: int, name: str, *, pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        if not alive(pid):
            raise RuntimeError(f"{name} exited during start-up; see its log in the state directory")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not listen on port {port} within {timeout:.0f}s")
        time.sleep(0.2)


def free_ports(count: int) -> tuple[int, ...]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return tuple(s.getsockname()[1] for s in sockets)
    finally:
        for s in sockets:
            s.close()


def port_free(port: int) -> bool:
    """No program listens on `port` (connections of a server that just died may linger: servers reuse)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours has exited even though kill(0) succeeds.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    return not _zombie(pid)  # another's zombie (an orphan init has yet to reap) has exited too


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # no /proc (macOS): kill(0) is all there is
    return stat.rpartition(")")[2].split()[0] == "Z"


def terminate(pid: int, *, grace: float = 10.0) -> None:
    """SIGTERM the process group we started, then SIGKILL whatever is left after `grace` seconds."""
    if not alive(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def _require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise SystemExit(f"missing tools: {', '.join(missing)} (see README: prerequisites)")
