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
The container side is `compose_engine`, the outside client `compose_client`; this module holds the steps.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import secrets
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from gridline.devstack.compose_client import (
    Record,
    Users,
    call,
    cloudevent_problems,
    consume,
    kafka_tool,
    members_with_partitions,
    prc_id,
)
from gridline.devstack.compose_engine import (
    API,
    BEIJING,
    COMMUNITY,
    OTHER_COMMUNITY,
    PROJECT,
    REPLICAS_FILE,
    Compose,
    HealthDriver,
    SmokeFailed,
    build_images,
    cache,
    ensure_tools,
    eventually,
    inspect,
    run,
    say,
    up,
    wait_healthy,
)


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


def timings_table(timings: list[tuple[str, float, str]]) -> str:
    width = max((len(name) for name, _, _ in timings), default=4)
    lines = [f"  {name:<{width}}  {seconds:7.1f}s  {outcome}" for name, seconds, outcome in timings]
    total = sum(seconds for _, seconds, _ in timings)
    return "\n".join([*lines, f"  {'total':<{width}}  {total:7.1f}s"])


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
