"""Hot paths read through indexes: no statement the services send makes SQLite scan a collection.

All four services run a day's worth of work on the real servers (registrations, plans opened from events,
check-ins, the alert that care and duty take up, the outbox relays, stored jobs) and then every read
operation of their OpenAPI is called (a live stream for a second), with
each of its query filters, by a caller holding every role. A command log records every database command
they sent. Each read, update, delete, find-and-modify, count and aggregation among them is explained by
the database, and the test fails on any plan that scans a collection's table or one of its index tables,
except on the few collections listed below, which are read whole by design.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from gridline import mongo
from gridline.auth import Role
from gridline.testing import Secrets, eventually

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, create_grid, prc_id, returnee, worker

pytestmark = pytest.mark.integration

SERVICES = ("registry", "monitoring", "care", "duty")

# Collections a service reads whole on purpose, each small by nature.
READ_WHOLE = {
    ("registry", "rule_sets"): "every rule set is loaded into the classification snapshot",
    ("monitoring", "rules"): "the alert rules in force are loaded whole into a short-lived cache",
}

SKIPPED = {"insert", "getMore", "killCursors", "listIndexes", "createIndexes", "buildInfo", "ping", "endSessions"}


def shapes(command: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (collection, find-equivalent) of each read a command makes."""
    name = next(iter(command))
    collection = command[name]
    if name == "find":
        yield collection, {"filter": command.get("filter", {}), "sort": command.get("sort", {})}
    elif name in ("count", "distinct"):
        yield collection, {"filter": command.get("query", {})}
    elif name == "findAndModify":
        yield collection, {"filter": command.get("query", {}), "sort": command.get("sort", {})}
    elif name == "update":
        for update in command["updates"]:
            yield collection, {"filter": update["q"]}
    elif name == "delete":
        for delete in command["deletes"]:
            yield collection, {"filter": delete["q"]}
    elif name == "aggregate":
        first = command["pipeline"][0] if command["pipeline"] else {}
        yield collection, {"filter": first.get("$match", {})}


def structure(value: Any) -> str:
    """A statement's shape with its values left out: statements of one shape get one plan (a job poll at
    every tick, say), so each shape is explained once."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{structure(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(sorted({structure(v) for v in value})) + "]"
    return type(value).__name__


def value_for(name: str, schema: dict[str, Any], known: dict[str, str]) -> Any:
    """A plausible value for a query parameter, so that its filter reaches the database."""
    schema = next((s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"), schema)
    if name in known:
        return known[name]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date":
        return date.today().isoformat()
    if schema.get("type") == "integer":
        return max(1, schema.get("minimum", 1))
    if schema.get("type") == "boolean":
        return "true"
    if "code" in name:
        return COMMUNITY
    return "x"


async def call_every_read(client: httpx.AsyncClient, headers: dict[str, str], known: dict[str, str]) -> int:
    """GET every operation without path parameters, once bare and once per query parameter."""
    spec = (await client.get("/openapi.json")).json()
    calls = 0
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path or path in ("/healthz", "/readyz", "/metrics"):
            continue
        params = [p for p in get.get("parameters", []) if p["in"] == "query"]
        required = {p["name"]: value_for(p["name"], p["schema"], known) for p in params if p.get("required")}
        variants = [required] + [
            {**required, p["name"]: value_for(p["name"], p["schema"], known)} for p in params if not p.get("required")
        ]
        # A stream stays open until its `max_seconds`: a second is enough for its reads to be logged.
        streamed = "text/event-stream" in get.get("responses", {}).get("200", {}).get("content", {})
        for query in variants:
            response = await client.get(
                path, params={**query, "max_seconds": 1} if streamed else query, headers=headers
            )
            assert response.status_code < 500, (path, query, response.text)
            calls += 1
    return calls


async def a_day_of_work(platform: Platform, secrets: Secrets) -> dict[str, str]:
    registry, monitoring = platform.client("registry"), platform.client("monitoring")
    grid_id = await create_grid(registry, secrets)
    people = []
    for n in range(5):
        body = returnee(grid_id, number=prc_id(sequence=300 + n))
        response = await registry.post("/v1/persons", json=body, headers=worker(secrets))
        assert response.status_code == 201, response.text
        people.append(response.json()["id"])

    async def plans_opened() -> str:
        listed = await monitoring.get("/v1/plans", params={"person_id": people[0]}, headers=worker(secrets))
        assert listed.json()["items"], listed.text
        plan_id: str = listed.json()["items"][0]["id"]
        return plan_id

    plan_id = await eventually(plans_opened)
    checkin = {"temperature_c": 37.9, "symptoms": [], "health_code": "green", "method": "visit"}
    response = await monitoring.post(f"/v1/plans/{plan_id}/checkins", json=checkin, headers=worker(secrets))
    assert response.status_code in (200, 201), response.text
    return {"grid_id": grid_id, "person_id": people[0], "plan_id": plan_id, "community_code": COMMUNITY}


async def test_no_statement_of_a_hot_path_scans_a_collection(platform: Platform) -> None:
    log = mongo.record_commands()
    await platform.start(*SERVICES)
    secrets = platform.sandbox.secrets
    known = await a_day_of_work(platform, secrets)
    everyone = secrets.headers(*[r.value for r in Role], jurisdiction=COMMUNITY, subject="all-roles")
    calls = sum([await call_every_read(platform.client(s), everyone, known) for s in SERVICES])
    log.stop()
    assert calls > 20

    client = mongo.connect(platform.sandbox.servers.mongodb)
    scans, explained, seen = [], 0, set()
    try:
        for database, command in list(log.commands):
            if not database.startswith(platform.sandbox.name) or next(iter(command)) in SKIPPED:
                continue
            service = database.removeprefix(f"{platform.sandbox.name}_")
            for collection, shape in shapes(command):
                if (service, collection) in READ_WHOLE or (database, collection, structure(shape)) in seen:
                    continue
                seen.add((database, collection, structure(shape)))
                explain = await client[database].command("explain", {"find": collection, **shape})
                explained += 1
                plan = " | ".join(explain["queryPlanner"].get("Plan", []))
                if "SCAN" in plan:
                    scans.append(f"{service}.{collection} {shape}: {plan}")
    finally:
        await client.close()
    print(f"explained {explained} statements from {len(log.commands)} commands")
    assert explained > 50
    assert not scans, "\n".join(sorted(set(scans)))
