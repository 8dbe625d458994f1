"""`gridline-dev`: the whole platform on this machine, on real Kafka and FerretDB.

up       start Kafka, FerretDB, the four services and the pages under supervisord, load demo data, print the
         URLs; run again at any moment, it starts what is not running and says what it started
down     stop everything `up` started
status   what is running where
servers  start only Kafka and FerretDB (for tests) and print their addresses as environment variables
compose-smoke  build every image of docker-compose.yml locally, run it on podman and prove it end to end
         (`gridline.devstack.compose_smoke`; slow: about half an hour on a fresh machine)

supervisord restarts a server or service that dies within a second or two (`gridline.devstack.supervised`).
`GRIDLINE_DEV_HOME` moves the stack's folder (default `.local`), and `GRIDLINE_DEV_PORTS=free` has its first
`up` take free ports instead of the usual ones; either way the folder keeps its ports from then on.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import logging
import os
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import httpx

from gridline import topics
from gridline.devstack import secrets, servers
from gridline.devstack.emulators import config as vendor_emulators
from gridline.devstack.supervised import Program, Supervisor

LOCAL = Path(os.environ.get("GRIDLINE_DEV_HOME", servers.REPO / ".local")).resolve()
STACK_DIR = LOCAL / "stack"
# The pages come last: they are ready once the four services they call are.
SERVICES = ("registry", "monitoring", "care", "duty", "web")
USUAL_PORTS = {
    "kafka": 19092,
    "controller": 19093,
    "ferretdb": 27117,
    "registry": 8101,
    "monitoring": 8102,
    "care": 8103,
    "duty": 8104,
    "web": 8100,
    "emulators": 8190,
}


class Refused(Exception):
    """`up` cannot go on, for a reason an operator can act on: said in one line, without a traceback."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="gridline-dev", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["up", "down", "status", "servers", "compose-smoke"])
    parser.add_argument("--no-demo", action="store_true", help="up: skip loading demo data")
    parser.add_argument("--state-dir", type=Path, default=None, help="servers: where data, logs and pids go")
    parser.add_argument("--stop", action="store_true", help="servers: stop the servers of --state-dir")
    parser.add_argument("--keep", action="store_true", help="compose-smoke: leave the stack running at the end")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            up(demo=not args.no_demo)
        elif args.command == "down":
            down()
        elif args.command == "status":
            status()
        elif args.command == "compose-smoke":
            from gridline.devstack import compose_smoke

            compose_smoke.main(keep=args.keep)
        else:
            servers_command(args.state_dir or LOCAL / "test-stack", stop=args.stop)
    except (Refused, RuntimeError, OSError, subprocess.CalledProcessError, xmlrpc.client.Fault) as exc:
        raise SystemExit(f"[gridline] {exc}") from None


def up(*, demo: bool) -> None:
    started = time.monotonic()
    STACK_DIR.mkdir(parents=True, exist_ok=True)
    with (STACK_DIR / ".up.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # `up` twice at once: the second finds what the first started
        ports = _ports()
        supervisor = Supervisor(STACK_DIR)
        supervisor.write(_programs(ports))
        if supervisor.running():
            supervisor.reload()
            for name, when in supervisor.restarted_by_itself().items():
                at = time.strftime("%H:%M:%S", time.localtime(when))
                servers.say(f"{name} had stopped; supervisord started it again at {at}")
            restarted = supervisor.start_stopped()
            servers.say(f"started again: {', '.join(restarted)}" if restarted else "everything is running")
        else:
            _stop_unsupervised()
            orphans = supervisor.stop_orphans()
            if orphans:
                servers.say(f"stopped what a supervisord that died left running: {', '.join(orphans)}")
            servers.say(f"starting Kafka, FerretDB, the services and the pages (logs: {LOCAL / 'logs'})")
            supervisor.start(_environment(ports))
    _wait_for_servers(ports)
    asyncio.run(_apply_topics(f"127.0.0.1:{ports['kafka']}"))
    for name in SERVICES:
        _wait_ready(name, ports[name])
    supervisor.remember_pids()
    if demo:
        subprocess.run([sys.executable, str(servers.DEPLOY / "demo" / "seed.py"), "--local", str(LOCAL)], check=True)
    _print_urls(ports, time.monotonic() - started)


def down() -> None:
    supervisor = Supervisor(STACK_DIR)
    if supervisor.running():
        supervisor.shutdown()
        servers.say("stopped the services, the pages, Kafka and FerretDB")
    _stop_unsupervised()


def status() -> None:
    """What runs where, and by name what is down or not ready."""
    supervisor = Supervisor(STACK_DIR)
    if not supervisor.running():
        print("not running (start with ./deploy/dev up)")
        return
    ports = _ports()
    states = supervisor.states()
    rows = []
    for name, info in states.items():
        state = info["statename"]
        if state == "RUNNING":
            state = _service_state(ports[name]) if name in SERVICES else "running"
        where = f"http://127.0.0.1:{ports[name]}" if name in SERVICES else f"127.0.0.1:{ports[name]}"
        rows.append((name, where, info["pid"], state))
    for name, where, pid, state in rows:
        print(f"{name:<12}{where:<28}pid {pid:<8}{state}")
    down = [name for name, _, _, state in rows if state != "running"]
    print(f"\nnot running as it should: {', '.join(down)}" if down else "\neverything is running")


def _ports() -> dict[str, int]:
    """The folder's ports: taken on its first `up`, kept from then on (a server comes back where it was)."""
    path = STACK_DIR / "ports.json"
    if path.exists():
        kept: dict[str, int] = json.loads(path.read_text())
        added = _added_ports(kept)
        if added:
            path.write_text(json.dumps({**kept, **added}, indent=2))
        return {**kept, **added}
    wanted = dict(USUAL_PORTS)
    legacy = servers.Stack.load(STACK_DIR)  # a folder of the stack before supervisord: keep its servers' ports
    if legacy is not None:
        wanted.update(kafka=legacy.kafka_port, controller=legacy.controller_port, ferretdb=legacy.mongo_port)
    elif os.environ.get("GRIDLINE_DEV_PORTS") == "free":
        wanted = dict(zip(USUAL_PORTS, servers.free_ports(len(USUAL_PORTS)), strict=True))
    taken = [f"{name} {port}" for name, port in wanted.items() if legacy is None and not servers.port_free(port)]
    if taken:
        raise Refused(
            f"ports taken by another program ({', '.join(taken)}): stop it, or start with GRIDLINE_DEV_PORTS=free"
        )
    path.write_text(json.dumps(wanted, indent=2))
    return wanted


def _programs(ports: dict[str, int]) -> list[Program]:
    binary, libs = servers.ferretdb_binary(), servers.kafka_libs()
    stack = servers.Stack(str(STACK_DIR), ports["kafka"], ports["controller"], ports["ferretdb"])
    ferretdb, ferretdb_env = servers.ferretdb_command(binary, STACK_DIR, ports["ferretdb"])
    logs = LOCAL / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    programs = [
        Program("ferretdb", ferretdb, STACK_DIR / "ferretdb.log", ferretdb_env, priority=10),
        Program("kafka", servers.kafka_command(libs, STACK_DIR, stack), logs / "kafka.log", {}, 10, stop_seconds=60),
    ]
    for order, name in enumerate(SERVICES):
        env = {"PORT": str(ports[name])}
        programs.append(Program(name, [sys.executable, "-m", name], logs / f"{name}.log", env, priority=20 + order))
    emulators = [sys.executable, "-m", "gridline.devstack.emulators"]
    env = {"PORT": str(ports["emulators"])}
    programs.append(Program("emulators", emulators, logs / "emulators.log", env, priority=15))
    return programs


def _added_ports(kept: dict[str, int]) -> dict[str, int]:
    """Ports for programs added since the folder took its ports: the usual one if free, else a free one."""
    added = {}
    for name, port in USUAL_PORTS.items():
        if name not in kept:
            added[name] = port if servers.port_free(port) else servers.free_ports(1)[0]
    return added


def _environment(ports: dict[str, int]) -> dict[str, str]:
    """What every program is started with: the local secrets and where the servers and services are."""
    return {
        **secrets.ensure(LOCAL),
        "MONGODB_URL": f"mongodb://127.0.0.1:{ports['ferretdb']}/?directConnection=true",
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{ports['kafka']}",
        "PUBLIC_URL": f"http://127.0.0.1:{ports['web']}",
        **{f"{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in SERVICES if name != "web"},
        **_messaging(ports),
    }


def _messaging(ports: dict[str, int]) -> dict[str, str]:
    """Texts and group robots go to the local vendor emulators, with credentials made for this folder: Aliyun
    by default, Tencent for the demo's second community, DingTalk and WeCom robots for the demo's duty groups."""
    return {
        **vendor_emulators.local_environment(LOCAL, f"http://127.0.0.1:{ports['emulators']}"),
        "SMS_SENDER": "aliyun",
        "SMS_COMMUNITY_SENDERS": json.dumps({"330106001002": "tencent"}),
    }


def _stop_unsupervised() -> None:
    """Servers and services a `up` before supervisord started by process id, if any still run."""
    path = STACK_DIR / "services.json"
    for name, pid in (json.loads(path.read_text()) if path.exists() else {}).items():
        if servers.alive(pid):
            servers.terminate(pid)
            servers.say(f"stopped {name} (started before the stack ran under supervisord)")
    path.unlink(missing_ok=True)
    servers.stop(STACK_DIR)


def _wait_for_servers(ports: dict[str, int], timeout: float = 180) -> None:
    from gridline.devstack.probe import kafka_answers

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # a broker still starting is why we wait, not news

    deadline = time.monotonic() + timeout
    while not _listening(ports["ferretdb"]) or not kafka_answers(f"127.0.0.1:{ports['kafka']}"):
        if time.monotonic() > deadline:
            raise Refused(f"Kafka or FerretDB not answering after {timeout:.0f}s; see {STACK_DIR} and {LOCAL / 'logs'}")
        time.sleep(0.5)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


async def _apply_topics(bootstrap: str, attempts: int = 30) -> None:
    """The topics, once the broker takes admin requests (it may be finishing its start)."""
    for attempt in range(attempts):
        try:
            await topics.apply(bootstrap)
            return
        except Exception as exc:
            if attempt == attempts - 1:
                raise Refused(f"cannot create the topics on {bootstrap}: {exc}") from None
            await asyncio.sleep(1)


def _service_state(port: int) -> str:
    """`running`, or `not ready: <what it cannot reach>`."""
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


def _wait_ready(name: str, port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise Refused(f"{name} not ready after {timeout:.0f}s; see {LOCAL / 'logs' / name}.log")


def _print_urls(ports: dict[str, int], seconds: float) -> None:
    web = f"http://127.0.0.1:{ports['web']}"
    print(f"\nThe platform is up ({seconds:.1f}s).")
    print(f"Pages (sign in as any demo user, no password): {web}/")
    print(f"Public board of the demo community: {web}/board?community=330106001001")
    print("API docs:")
    for name in SERVICES:
        if name != "web":
            print(f"  {name:<11} http://127.0.0.1:{ports[name]}/docs")
    print("\nA token for a grid worker of the demo community (valid 8 hours):")
    print("  ./deploy/dev token --role grid_worker --jurisdiction 330106001001")
    print("A server or service that dies is started again by itself; `./deploy/dev status` shows each one.")
    emulators = f"http://127.0.0.1:{ports['emulators']}/_emulator"
    print(f"What the vendor emulators received: curl -s {emulators}/aliyun/received (tencent, dingtalk, wecom)")
    print("Stop everything with: ./deploy/dev down")


if __name__ == "__main__":
    main()
