"""How fast `recordCheckin` is over HTTP, and how soon a fever reaches Kafka as `alert.raised`.

    uv run python bench/checkin_rate.py --plans 100000 --requests 5000 --rate 500 --duration 60

On the real servers (the ones named by GRIDLINE_TEST_KAFKA/GRIDLINE_TEST_MONGODB, else its own Kafka and
FerretDB, stopped afterwards), with N open plans seeded into the monitoring database:

1. throughput, in `--rounds` interleaved rounds (medians printed): `--requests` check-ins (one per plan,
   `--concurrency` at a time) over HTTP to the monitoring service run by uvicorn in its own process, timed
   until the last `checkin.recorded` is on Kafka; then the same number of requests to a bare FastAPI
   endpoint (also its own uvicorn process) that writes the same check-in document with the same driver and
   write concern, and nothing else: once into a collection with no index but `_id`, once into one with the
   indexes monitoring's check-ins have (every list a worker or officer pages through needs them; the
   service cannot drop them to go faster). Each contender's CPU time per check-in is read from /proc too
   (service, FerretDB and, for ours, the broker), which a burst of load from elsewhere does not stretch;
2. latency: fever check-ins sent at a steady `--rate` for `--duration` seconds (open loop: each is sent on
   schedule whether or not earlier ones answered), each timed from the moment it is sent to the moment its
   `alert.raised` record arrives on Kafka, and to the moment duty's `incident.opened` for that alert arrives
   (duty runs in its own uvicorn process too); p50, p95 and p99 of both are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import aiohttp
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from cpu import cpu_spent, listening_pid
from fastapi import FastAPI, Request
from gridline import mongo
from gridline.auth import scope_keys
from gridline.clock import SystemClock, local_today
from gridline.devstack.servers import free_ports
from gridline.events import dumps, loads
from gridline.testing import Running, Sandbox, Secrets, servers_for_tests, stop_servers
from monitoring.checkins import store as checkins
from monitoring.main import create_app
from monitoring.settings import MonitoringSettings
from profiling import profiled

COUNTY, TOWNSHIP = "330106", "330106001"
NORMAL = {"method": "phone", "temperature_c": 36.5, "symptoms": [], "health_code": "green"}
FEVER = {**NORMAL, "temperature_c": 38.2}
BENCH_DIR = Path(__file__).resolve().parent
INDEXED = "bare_checkins_indexed"  # the bare endpoint's collection with the indexes monitoring's check-ins have


def plan_documents(count: int) -> Iterator[dict[str, Any]]:
    """Open plans as monitoring stores them, spread over 50 communities of 10 grids each."""
    today, now = local_today(SystemClock()), SystemClock().now()
    starts, ends = today - timedelta(days=3), today + timedelta(days=10)
    for n in range(count):
        community, grid = f"{TOWNSHIP}{n % 50 + 1:03d}", f"bench-grid-{n % 500}"
        person = f"bench-person-{n}"
        yield {
            "_id": f"bench-plan-{n:07d}",
            "person_id": person,
            "open_key": person,
            "community_code": community,
            "grid_id": grid,
            "scope": scope_keys(community, grid),
            "measure": "home_health_monitoring",
            "stages": [{"measure": "home_health_monitoring", "starts_on": str(starts), "ends_on": str(ends)}],
            "starts_on": str(starts),
            "ends_on": str(ends),
            "checkins_per_day": 1,
            "nat_dates": [str(starts + timedelta(days=6))],
            "rule_set_id": "zj-default",
            "rule_set_version": 1,
            "rule_id": "returnee-14",
            "person_version": 1,
            "location_version": 1,
            "first_day": str(today),
            "status": "active",
            "version": 1,
            "missed_streak": {"count": 0, "last_day": None},
            "opened_at": now,
        }


async def seed(db: mongo.Database, count: int) -> float:
    started, batch = time.perf_counter(), []
    for doc in plan_documents(count):
        batch.append(doc)
        if len(batch) == 2000:
            await db["plans"].insert_many(batch, ordered=False)
            batch = []
    if batch:
        await db["plans"].insert_many(batch, ordered=False)
    return time.perf_counter() - started


def bare_app() -> FastAPI:
    """The least a check-in endpoint can do: take the JSON and write the same document, with the same driver.

    It writes into `BARE_COLLECTION` (default `bare_checkins`, with no index but `_id`)."""
    app = FastAPI()
    database = mongo.connect(os.environ["MONGODB_URL"])[os.environ["MONGODB_DATABASE"]]
    collection = database[os.environ.get("BARE_COLLECTION", "bare_checkins")]

    @app.post("/v1/plans/{plan_id}/checkins", status_code=201)
    async def record(plan_id: str, request: Request) -> dict[str, Any]:
        body, now, day = await request.json(), SystemClock().now(), str(local_today(SystemClock()))
        checkin_id = str(uuid.uuid4())
        n = int(plan_id.rsplit("-", 1)[1])  # the fields the plan gives, as `seed` made them, without reading it
        community, grid = f"{TOWNSHIP}{n % 50 + 1:03d}", f"bench-grid-{n % 500}"
        doc = {
            "_id": f"{plan_id}:{day}:1",
            "plan_id": plan_id,
            "person_id": f"bench-person-{n}",
            "community_code": community,
            "grid_id": grid,
            "scope": scope_keys(community, grid),
            "day": day,
            "slot": 1,
            "state": "recorded",
            "has_result": True,
            "current": {"checkin_id": checkin_id, **body, "recorded_at": now},
            "history": [],
            "checkin_ids": [checkin_id],
            "first_checkin_id": checkin_id,
            "_outbox": [{"id": str(uuid.uuid4()), "type": "checkin.recorded", "data": body, "time": now}],
            "_outbox_at": now,
        }
        await collection.insert_one(doc)
        return {"slot_id": doc["_id"]}

    return app


class Server:
    """A uvicorn process serving one app factory, stopped by its process id."""

    def __init__(self, factory: str, env: dict[str, str], *, app_dir: Path | None = None) -> None:
        self.port = free_ports(1)[0]
        command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(self.port)]
        command += ["--no-access-log", "--log-level", "warning"]
        if app_dir is not None:
            command += ["--app-dir", str(app_dir)]
        self.process = subprocess.Popen(command, env={**os.environ, **env})  # noqa: S603 (our own fixed command)
        self.url = f"http://127.0.0.1:{self.port}"

    async def ready(self, timeout: float = 900) -> None:  # first start builds indexes over the seeded plans
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url) as client:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code in (200, 404):
                        return
                await asyncio.sleep(0.3)
        raise TimeoutError(f"{self.url} did not start")

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(15)
        if self.process.poll() is None:
            self.process.kill()


def environment(sandbox: Sandbox, database: str, *, service: str = "monitoring") -> dict[str, str]:
    settings = sandbox.settings(service, rate_limit_per_caller="1000000/second", relay_interval_seconds=0.5)
    settings["mongodb_database"] = database
    return {key.upper(): str(value) for key, value in settings.items()}


async def post_checkin(client: aiohttp.ClientSession, plan: str, body: dict[str, Any]) -> Answer:
    """One check-in, retried once if the connection drops: the Idempotency-Key makes the retry safe."""
    headers = {"Idempotency-Key": f"bench-{plan}"}
    try:
        return await _post(client, f"/v1/plans/{plan}/checkins", body, headers)
    except aiohttp.ClientConnectionError:
        return await _post(client, f"/v1/plans/{plan}/checkins", body, headers)


async def _post(client: aiohttp.ClientSession, path: str, body: dict[str, Any], headers: dict[str, str]) -> Answer:
    async with client.post(path, data=dumps(body), headers={**headers, "Content-Type": "application/json"}) as r:
        return Answer(r.status, await r.read())


class Answer(NamedTuple):
    status_code: int
    content: bytes

    def json(self) -> Any:
        return loads(self.content)


def session(url: str, token: str, connections: int, timeout: float) -> aiohttp.ClientSession:
    """The load generator's client: aiohttp, whose cost per request is a fraction of the server's, so the
    figures measure the service rather than the client (httpx at 64 connections tops out near 250/s here)."""
    return aiohttp.ClientSession(
        url,
        headers={"Authorization": f"Bearer {token}"},
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


async def closed_loop(
    url: str, token: str, plans: list[str], body: dict[str, Any], concurrency: int
) -> tuple[float, int]:
    """Send one check-in per plan, `concurrency` at a time; returns seconds taken and failures."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for plan in plans:
        queue.put_nowait(plan)
    failures = 0

    async def worker(client: aiohttp.ClientSession) -> None:
        nonlocal failures
        while not queue.empty():
            plan = queue.get_nowait()
            response = await post_checkin(client, plan, body)
            failures += response.status_code != 201

    async with session(url, token, concurrency, 60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started, failures


async def round_trips(sandbox: Sandbox, database: str, token: str, plans: list[str]) -> tuple[float, float, str]:
    """Check-ins through the monitoring app run in this process, its database commands counted per request:
    commands per check-in, waits per check-in, and the commands of the last one."""
    listener = mongo.count_commands()  # sees clients made from now on: the app's, made at its start
    fields = sandbox.settings("monitoring", rate_limit_per_caller="1000000/second", relay_interval_seconds=0.5)
    settings = MonitoringSettings(**{**fields, "mongodb_database": database})
    running = Running()
    await running.start("monitoring", create_app(settings))
    client = running.clients["monitoring"]
    per_request: list[tuple[int, int, list[str]]] = []
    try:
        for plan in plans:
            before, waits_before = len(listener.commands), listener.waits
            with listener.counting():
                response = await client.post(
                    f"/v1/plans/{plan}/checkins",
                    json=NORMAL,
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{plan}"},
                )
            if response.status_code != 201:
                raise RuntimeError(f"check-in answered {response.status_code}: {response.text}")
            mine = listener.commands[before:]
            per_request.append((len(mine), listener.waits - waits_before, mine))
    finally:
        await running.stop("monitoring")
    steady = per_request[1:]  # the first fills the rules cache
    commands = sum(n for n, _, _ in steady) / len(steady)
    waits = sum(w for _, w, _ in steady) / len(steady)
    return commands, waits, ", ".join(steady[-1][2])


async def throughput(
    args: argparse.Namespace, sandbox: Sandbox, ours: Server, bare: Server, indexed: Server, token: str
) -> dict[str, Any]:
    """`--rounds` rounds of ours, bare and indexed in turn, each round on plans of its own.

    Interleaved, so a burst of load from elsewhere on a shared machine falls on one round rather than on
    one contender; each figure is the median of its rounds, and each round's ratio is printed too.
    """
    database = listening_pid(int(urlsplit(sandbox.servers.mongodb).port or 27017))
    broker = listening_pid(int(sandbox.servers.kafka.rsplit(":", 1)[1]))
    rounds: list[dict[str, float]] = []
    for r in range(args.rounds):
        plans = [f"bench-plan-{n:07d}" for n in range(r * args.requests, (r + 1) * args.requests)]
        started = time.perf_counter()
        pids = {"monitoring": ours.process.pid}
        window = profiled(args.profile, pids, seconds=8) if args.profile and r == 0 else contextlib.nullcontext()
        with window, cpu_spent({"service": ours.process.pid, "database": database, "broker": broker}) as ours_cpu:
            http_seconds, failures = await closed_loop(ours.url, token, plans, NORMAL, args.concurrency)
            wanted = (r + 1) * args.requests
            records = await sandbox.read_topic("monitoring.checkin.v1", at_least=wanted, timeout=3600)
        relayed_seconds = time.perf_counter() - started
        with cpu_spent({"service": bare.process.pid, "database": database}) as bare_cpu:
            bare_seconds, bare_failures = await closed_loop(bare.url, token, plans, NORMAL, args.concurrency)
        with cpu_spent({"service": indexed.process.pid, "database": database}) as indexed_cpu:
            indexed_seconds, indexed_failures = await closed_loop(indexed.url, token, plans, NORMAL, args.concurrency)
        rounds.append(
            {
                "http": args.requests / http_seconds,
                "relayed": (len(records) - r * args.requests) / relayed_seconds,
                "bare": args.requests / bare_seconds,
                "indexed": args.requests / indexed_seconds,
                "failures": failures + bare_failures + indexed_failures,
                **{f"ours_{k}_ms": 1000 * v / args.requests for k, v in ours_cpu.seconds.items()},
                **{f"indexed_{k}_ms": 1000 * v / args.requests for k, v in indexed_cpu.seconds.items()},
                "bare_cpu_ms": 1000 * bare_cpu.total / args.requests,
                "cpu_ratio": indexed_cpu.total / ours_cpu.total,
            }
        )
    figures: dict[str, Any] = {k: statistics.median(one[k] for one in rounds) for k in rounds[0]}
    figures["failures"] = sum(one["failures"] for one in rounds)
    figures["ratios"] = [one["relayed"] / one["indexed"] for one in rounds]
    figures["bare_ratios"] = [one["relayed"] / one["bare"] for one in rounds]
    figures["cpu_ratios"] = [one["cpu_ratio"] for one in rounds]
    return figures


async def alert_latency(args: argparse.Namespace, sandbox: Sandbox, ours: Server, token: str) -> dict[str, float]:
    """Fevers at a steady rate; each timed from sending to its `alert.raised`, and to duty's incident for it."""
    count = int(args.rate * args.duration)
    first = args.requests * args.rounds
    plans = [f"bench-plan-{n:07d}" for n in range(first, first + count)]
    alerts, incidents = (
        await _end_consumer(sandbox, "monitoring.alert.v1"),
        await _end_consumer(sandbox, "duty.incident.v1"),
    )
    sent: dict[str, float] = {}
    arrived: dict[str, float] = {}
    opened: dict[str, float] = {}  # alert id -> when duty's incident for it arrived
    listening = [
        asyncio.create_task(_collect(alerts, arrived, count, "plan_id")),
        asyncio.create_task(_collect(incidents, opened, count, "source_id")),
    ]
    async with session(ours.url, token, args.concurrency * 4, 120) as client:
        started, tasks = time.perf_counter(), []
        for i, plan in enumerate(plans):
            await asyncio.sleep(max(0.0, started + i / args.rate - time.perf_counter()))
            sent[plan] = time.perf_counter()
            tasks.append(asyncio.create_task(post_checkin(client, plan, FEVER)))
        sending = time.perf_counter() - started
        responses = await asyncio.gather(*tasks, return_exceptions=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*listening), timeout=120)
    for task in listening:
        task.cancel()
    await alerts.stop()
    await incidents.stop()
    alert_sent = {
        ref["alert_id"]: sent[plan]
        for plan, response in zip(plans, responses, strict=True)
        if isinstance(response, Answer) and response.status_code == 201
        for ref in response.json()["result"]["alerts"]
    }
    to_alert = sorted(arrived[p] - sent[p] for p in arrived if p in sent)
    to_incident = sorted(opened[a] - alert_sent[a] for a in opened if a in alert_sent)
    failures = sum(1 for r in responses if isinstance(r, BaseException) or r.status_code != 201)
    return {
        "sent": count,
        "offered_rate": count / sending,
        "alerts": len(to_alert),
        "incidents": len(to_incident),
        "failures": failures,
        **{f"p{q}": _quantile(to_alert, q / 100) for q in (50, 95, 99)},
        **{f"incident_p{q}": _quantile(to_incident, q / 100) for q in (50, 95, 99)},
    }


async def _end_consumer(sandbox: Sandbox, topic_name: str) -> AIOKafkaConsumer:
    topic = sandbox.prefix + topic_name
    consumer = AIOKafkaConsumer(bootstrap_servers=sandbox.servers.kafka, enable_auto_commit=False)
    await consumer.start()
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or {0, 1, 2})]
    consumer.assign(partitions)
    await consumer.seek_to_end(*partitions)
    for partition in partitions:
        await consumer.position(partition)  # pin "the end" now, before the first check-in is sent
    return consumer


async def _collect(consumer: AIOKafkaConsumer, arrived: dict[str, float], expected: int, field: str) -> None:
    """When each record naming a new `field` value arrived (the first record of each)."""
    while len(arrived) < expected:
        batches = await consumer.getmany(timeout_ms=200)
        now = time.perf_counter()
        for records in batches.values():
            for record in records:
                value = loads(record.value or b"{}").get(field)
                if value is not None:
                    arrived.setdefault(value, now)


async def roster_every_community(sandbox: Sandbox, duty: Server) -> None:
    """A duty officer and a leader on duty in each community, as in any community that runs a desk: an alert's
    incident goes to them and waits the chain's ten minutes for an acknowledgement, instead of escalating at
    once for want of anyone to route it to."""
    admin = sandbox.secrets.token("community_admin", jurisdiction=COUNTY, subject="bench-admin", ttl=7200)
    officer, leader = {"subject": "bench-officer", "name": "值班员"}, {"subject": "bench-leader", "name": "带班领导"}
    crew = {"duty_officer": officer, "leader": leader}
    async with httpx.AsyncClient(base_url=duty.url, headers={"Authorization": f"Bearer {admin}"}) as client:
        for n in range(50):
            body = {
                "community_code": f"{TOWNSHIP}{n + 1:03d}",
                "name": "值班表",
                "kind": "daily",
                "starts_on": str(local_today(SystemClock()) - timedelta(days=1)),
                "shift_starts": ["00:00"],
                "crews": [crew],
            }
            answer = await client.post("/v1/rotations", json=body, headers={"Idempotency-Key": f"bench-roster-{n}"})
            answer.raise_for_status()


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


async def measure(args: argparse.Namespace, sandbox: Sandbox) -> None:
    await sandbox.create_topics()
    db = sandbox.database("monitoring")
    seeded = await seed(db, args.plans)
    ours = Server("monitoring.main:create_app", environment(sandbox, db.name))
    bare = Server("checkin_rate:bare_app", environment(sandbox, db.name), app_dir=BENCH_DIR)
    await mongo.ensure_indexes(db, [replace(index, collection=INDEXED) for index in checkins.INDEXES])
    indexed_env = {**environment(sandbox, db.name), "BARE_COLLECTION": INDEXED}
    indexed = Server("checkin_rate:bare_app", indexed_env, app_dir=BENCH_DIR)
    duty = Server("duty.main:create_app", environment(sandbox, f"{sandbox.name}_duty", service="duty"))
    try:
        await ours.ready()
        await bare.ready()
        await indexed.ready()
        await duty.ready()
        token = sandbox.secrets.token("grid_worker", jurisdiction=COUNTY, subject="bench", ttl=7200)
        await roster_every_community(sandbox, duty)
        trips = await round_trips(sandbox, db.name, token, [f"bench-plan-{args.plans - 1 - n:07d}" for n in range(20)])
        rates = await throughput(args, sandbox, ours, bare, indexed, token)
        latency = await alert_latency(args, sandbox, ours, token)
        report(args, await db["plans"].count_documents({}), seeded, rates, latency, trips)
    finally:
        ours.stop()
        bare.stop()
        indexed.stop()
        duty.stop()
        await sandbox.drop(["monitoring", "duty"])


def report(
    args: Any,
    plans: int,
    seeded: float,
    rates: dict[str, Any],
    latency: dict[str, float],
    trips: tuple[float, float, str],
) -> None:
    print(f"plans in the database          {plans:>10,}  (seeded in {seeded:.1f} s)")
    print(f"database commands per check-in {trips[0]:>10.1f}  ({trips[2]}; keyed, as field workers send them)")
    print(f"database waits per check-in    {trips[1]:>10.1f}  (goal: at most 2; commands sent together share one)")
    load = f"{args.requests:,} requests, {args.concurrency} at a time; medians of {args.rounds} rounds"
    print(f"recordCheckin, answered        {rates['http']:>10,.1f} /s  ({load})")
    print(f"recordCheckin, events on Kafka {rates['relayed']:>10,.1f} /s  (until the last checkin.recorded arrived)")
    print(f"bare FastAPI + driver insert   {rates['bare']:>10,.1f} /s")
    print(f"the same, with checkins' indexes {rates['indexed']:>8,.1f} /s  ({len(checkins.INDEXES)} besides _id)")
    each = ", ".join(f"{ratio:.0%}" for ratio in rates["bare_ratios"])
    bare_ratio = statistics.median(rates["bare_ratios"])
    print(f"ours / bare (events relayed)   {bare_ratio:>10.0%}  (goal: at least 40 %; rounds: {each})")
    each = ", ".join(f"{ratio:.0%}" for ratio in rates["ratios"])
    ratio = statistics.median(rates["ratios"])
    print(f"ours / bare with the indexes   {ratio:>10.0%}  (goal: at least 50 %; rounds: {each})")
    ours_cpu = " + ".join(f"{rates[f'ours_{k}_ms']:.2f} {k}" for k in ("service", "database", "broker"))
    print(f"CPU per check-in, ours         {ours_cpu} ms")
    indexed_cpu = " + ".join(f"{rates[f'indexed_{k}_ms']:.2f} {k}" for k in ("service", "database"))
    print(f"CPU per check-in, bare indexed {indexed_cpu} ms  (bare, no indexes: {rates['bare_cpu_ms']:.2f} ms)")
    each = ", ".join(f"{ratio:.0%}" for ratio in rates["cpu_ratios"])
    cpu_ratio = statistics.median(rates["cpu_ratios"])
    print(f"bare indexed CPU / ours CPU    {cpu_ratio:>10.0%}  (the ratio above on a busy machine; rounds: {each})")
    print(f"failed requests                {rates['failures']:>10,.0f}")
    offered = f"asked {args.rate}/s, offered {latency['offered_rate']:,.1f}/s"
    print(f"fevers sent at a steady rate   {latency['sent']:>10,.0f}  ({offered})")
    print(f"alert.raised received          {latency['alerts']:>10,.0f}  (failed requests: {latency['failures']:,.0f})")
    print(f"incident.opened received       {latency['incidents']:>10,.0f}")
    for label, prefix in (("check-in → alert.raised   ", ""), ("check-in → incident.opened", "incident_")):
        figures = "   ".join(f"p{q} {latency[f'{prefix}p{q}']:,.0f} ms" for q in (50, 95, 99))
        goal = "  (goal: p99 under 1,000 ms)" if prefix else ""
        print(f"{label} on Kafka  {figures}{goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", type=int, default=100_000, help="open plans in the database")
    parser.add_argument("--requests", type=int, default=5_000, help="check-ins for the throughput comparison")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the throughput comparison")
    parser.add_argument("--profile", metavar="NAME", help="profile recordCheckin's throughput run into bench/profiles/")
    parser.add_argument("--rate", type=float, default=500.0, help="fever check-ins per second for the latency run")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the latency run")
    args = parser.parse_args()
    if args.plans < args.requests * args.rounds + args.rate * args.duration + 20:
        parser.error(
            "--plans must cover --requests × --rounds plus --rate × --duration plus 20 (one check-in per plan and day)"
        )
    found, started = servers_for_tests()
    try:
        asyncio.run(measure(args, Sandbox(found, Secrets(Path(mkdtemp())))))
    finally:
        if started is not None:
            stop_servers(started)


if __name__ == "__main__":
    main()
