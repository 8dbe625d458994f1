"""`gridline-dev`: the whole platform on this machine, on real Kafka and FerretDB.

up       start Kafka, FerretDB, the four services and the pages, load demo data, print the URLs
down     stop everything `up` started, by process id
status   what is running where
servers  start only Kafka and FerretDB (for tests) and print their addresses as environment variables
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gridline import topics
from gridline.devstack import secrets, servers

LOCAL = servers.REPO / ".local"
STACK_DIR = LOCAL / "stack"
# The pages come last: they are ready once the four services they call are.
SERVICES = {"registry": 8101, "monitoring": 8102, "care": 8103, "duty": 8104, "web": 8100}
PREFERRED_PORTS = (19092, 19093, 27117)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="gridline-dev", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["up", "down", "status", "servers"])
    parser.add_argument("--no-demo", action="store_true", help="up: skip loading demo data")
    parser.add_argument("--state-dir", type=Path, default=None, help="servers: where data, logs and pids go")
    parser.add_argument("--stop", action="store_true", help="servers: stop the servers of --state-dir")
    args = parser.parse_args(argv)
    if args.command == "up":
        up(demo=not args.no_demo)
    elif args.command == "down":
        down()
    elif args.command == "status":
        status()
    else:
        servers_command(args.state_dir or LOCAL / "test-stack", stop=args.stop)


def up(*, demo: bool) -> None:
    started = time.monotonic()
    stack = servers.start(STACK_DIR, preferred=PREFERRED_PORTS)
    servers.say(f"Kafka on {stack.kafka_bootstrap}, FerretDB on {stack.mongodb_url}")
    asyncio.run(topics.apply(stack.kafka_bootstrap))
    env = {
        **os.environ,
        **secrets.ensure(LOCAL),
        "MONGODB_URL": stack.mongodb_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
    }
    pids = _service_pids()
    for name, port in SERVICES.items():
        if not servers.alive(pids.get(name, 0)):
            pids[name] = _start_service(name, port, env)
    (STACK_DIR / "services.json").write_text(json.dumps(pids))
    for name, port in SERVICES.items():
        _wait_ready(name, port, pids[name])
    if demo:
        subprocess.run([sys.executable, str(servers.DEPLOY / "demo" / "seed.py"), "--local", str(LOCAL)], check=True)
    _print_urls(time.monotonic() - started)


def down() -> None:
    for name, pid in _service_pids().items():
        servers.terminate(pid)
        servers.say(f"stopped {name}")
    (STACK_DIR / "services.json").unlink(missing_ok=True)
    servers.stop(STACK_DIR)
    servers.say("stopped Kafka and FerretDB")


def status() -> None:
    """What runs where, and by name what is down (an operator restarts it with `up`, in place)."""
    stack = servers.Stack.load(STACK_DIR)
    if stack is None:
        print("not running (start with ./deploy/dev up)")
        return
    rows = [
        ("kafka", stack.kafka_bootstrap, stack.kafka_pid, "running" if servers.alive(stack.kafka_pid) else "DOWN"),
        ("ferretdb", stack.mongodb_url, stack.ferretdb_pid, "running" if servers.alive(stack.ferretdb_pid) else "DOWN"),
    ]
    for name, pid in _service_pids().items():
        port = SERVICES[name]
        rows.append((name, f"http://127.0.0.1:{port}", pid, _service_state(pid, port)))
    for name, where, pid, state in rows:
        print(f"{name:<12}{where:<52}pid {pid:<8}{state}")
    down = [name for name, _, _, state in rows if state == "DOWN"]
    waiting = [name for name, _, _, state in rows if state.startswith("not ready")]
    if down:
        print(f"\ndown: {', '.join(down)} (bring back in place with ./deploy/dev up)")
    if waiting:
        print(f"\nrunning but not ready: {', '.join(waiting)} (they carry on once what they wait for is back)")
    if not down and not waiting:
        print("\neverything is running")


def _service_state(pid: int, port: int) -> str:
    """`running`, `DOWN` (no process), or `not ready: <what it cannot reach>`."""
    if not servers.alive(pid):
        return "DOWN"
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
    except httpx.HTTPError:
        return "not ready: not answering"
    if response.status_code == 200:
        return "running"
    checks = (
        response.json().get("checks", {}) if response.headers.get("content-type", "").startswith("application") else {}
    )
    failing = [name for name, ok in checks.items() if not ok]
    return f"not ready: cannot reach {', '.join(failing)}" if failing else "not ready"


def servers_command(state_dir: Path, *, stop: bool) -> None:
    if stop:
        servers.stop(state_dir)
        return
    stack = servers.start(state_dir)
    print(f"export GRIDLINE_TEST_KAFKA={stack.kafka_bootstrap}")
    print(f"export GRIDLINE_TEST_MONGODB='{stack.mongodb_url}'")
    print(f"export GRIDLINE_TEST_STACK_DIR={state_dir}")


def _start_service(name: str, port: int, env: dict[str, str]) -> int:
    logs = LOCAL / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out = (logs / f"{name}.log").open("ab")
    servers.say(f"starting {name} on http://127.0.0.1:{port} (log: .local/logs/{name}.log)")
    process = subprocess.Popen(
        [sys.executable, "-m", name],
        env={**env, "PORT": str(port)},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=servers.REPO,
    )
    return process.pid


def _wait_ready(name: str, port: int, pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not servers.alive(pid):
            raise SystemExit(f"{name} exited; see .local/logs/{name}.log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} not ready after {timeout:.0f}s; see .local/logs/{name}.log")


def _service_pids() -> dict[str, int]:
    path = STACK_DIR / "services.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _print_urls(seconds: float) -> None:
    print(f"\nThe platform is up ({seconds:.1f}s).")
    print(f"Pages (sign in as any demo user, no password): http://127.0.0.1:{SERVICES['web']}/")
    print(f"Public board of the demo community: http://127.0.0.1:{SERVICES['web']}/board?community=330106001001")
    print("API docs:")
    for name, port in SERVICES.items():
        if name != "web":
            print(f"  {name:<11} http://127.0.0.1:{port}/docs")
    print("\nA token for a grid worker of the demo community (valid 8 hours):")
    print("  ./deploy/dev token --role grid_worker --jurisdiction 330106001001")
    print("Stop everything with: ./deploy/dev down")
