"""What one operation costs as the collection grows: 1,000, 10,000 and 100,000 registered people.

At each size, on the real servers, with ids sampled from the whole collection:
- find by id: one person read by `_id` (raw driver);
- guarded update: one person updated under its version guard, as every aggregate write is (`update_guarded`);
- equality read: one person found by the keyed hash of their document (the duplicate check of a
  registration);
- list page: `listPersons` over HTTP, 50 people of a grid, first page and a page deep in the list;
- registerPerson over HTTP: a new person validated, sealed, classified and stored with their events.

The registry app runs in-process with its relay and consumers, as in production. The table gives the
median milliseconds per operation and, last, 100,000 against 1,000.

  uv run python bench/storage_scale.py
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx
from gridline import mongo
from gridline.testing import Running, Sandbox, Secrets, Servers, servers_for_tests, stop_servers
from people import COMMUNITY, divisions, person_body, seed
from registry.main import create_app
from registry.settings import RegistrySettings

SIZES = (1_000, 10_000, 100_000)
SAMPLES = 200


async def timed(samples: int, operation: Callable[[int], Awaitable[Any]]) -> float:
    """Median milliseconds of `samples` runs of operation(i)."""
    spent = []
    for i in range(samples):
        started = time.perf_counter()
        await operation(i)
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


async def measure_size(
    sandbox: Sandbox, client: httpx.AsyncClient, grid_id: str, size: int, registered: int
) -> dict[str, float]:
    persons = sandbox.database("registry")["persons"]
    ids = [d["_id"] for d in await mongo.read(persons.find({}, {"_id": 1}), None)]
    hashes = [d["document"]["hash"] for d in await mongo.read(persons.find({}, {"document.hash": 1}), None)]
    rng = random.Random(size)
    sample_ids, sample_hashes = rng.sample(ids, SAMPLES), rng.sample(hashes, SAMPLES)
    deep = await _cursor_deep_in_list(client, sandbox.secrets, grid_id, size)

    async def find_by_id(i: int) -> None:
        assert await persons.find_one({"_id": sample_ids[i]}) is not None

    async def guarded_update(i: int) -> None:
        doc = await persons.find_one({"_id": sample_ids[i]}, {"version": 1})
        assert doc is not None
        changed = {"$set": {"bench_touched": i}, "$inc": {"version": 1}}
        assert await mongo.update_guarded(persons, sample_ids[i], {"version": doc["version"]}, changed)

    async def equality_read(i: int) -> None:
        assert await persons.find_one({"document.hash": sample_hashes[i]}) is not None

    async def list_page(i: int) -> None:
        params = {"grid_id": grid_id, "limit": "50", **({"cursor": deep} if i % 2 else {})}
        # one caller per request: the per-caller rate limit is not what is measured
        caller = sandbox.secrets.headers("grid_worker", jurisdiction=COMMUNITY, subject=f"lister-{size}-{i}")
        response = await client.get("/v1/persons", params=params, headers=caller)
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == 50, response.text

    async def register(i: int) -> None:
        body = person_body(10_000_000 + registered + i, from_area=False, grid_id=grid_id).model_dump(mode="json")
        headers = sandbox.secrets.headers("grid_worker", jurisdiction=COMMUNITY, subject=f"bench-{i}")
        response = await client.post("/v1/persons", json=body, headers=headers)
        assert response.status_code == 201, response.text

    return {
        "find by id": await timed(SAMPLES, find_by_id),
        "guarded update": await timed(SAMPLES, guarded_update),
        "equality read (document hash)": await timed(SAMPLES, equality_read),
        "list page (HTTP, 50 people)": await timed(40, list_page),
        "registerPerson (HTTP)": await timed(40, register),
    }


async def _cursor_deep_in_list(client: httpx.AsyncClient, secrets: Secrets, grid_id: str, size: int) -> str:
    """A cursor about halfway through the grid's people."""
    cursor = ""
    for n in range(min(size // 400, 50) + 1):
        headers = secrets.headers("grid_worker", jurisdiction=COMMUNITY, subject=f"walker-{size}-{n}")
        params = {"grid_id": grid_id, "limit": "200", **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/persons", params=params, headers=headers)
        cursor = response.json()["next_cursor"]
    return cursor


async def run(servers: Servers) -> None:
    sandbox = Sandbox(servers, Secrets(Path(mkdtemp())))
    await sandbox.create_topics()
    await divisions(sandbox)
    running = Running()
    results: dict[int, dict[str, float]] = {}
    try:
        app = create_app(RegistrySettings(**sandbox.settings("registry")))  # type: ignore[arg-type]
        client = await running.start("registry", app)
        created = await client.post(
            "/v1/grids",
            json={
                "community_code": COMMUNITY,
                "name": "第1网格",
                "manager_name": "张网格",
                "manager_phone": "13805710001",
            },
            headers=sandbox.secrets.headers("community_admin", jurisdiction=COMMUNITY, subject="admin"),
        )
        grid_id = created.json()["id"]
        seeded = 0
        for size in SIZES:
            seconds = await seed(sandbox, range(seeded, size), grid_id=grid_id)
            print(f"{size:>7,} people stored ({size - seeded:,} added in {seconds:.1f} s)", flush=True)
            seeded = size
            results[size] = await measure_size(sandbox, client, grid_id, size, registered=len(results) * 40)
    finally:
        await running.close()
        await sandbox.drop(["registry"])
    report(results)


def report(results: dict[int, dict[str, float]]) -> None:
    print(f"\n{'median ms per operation':<34}" + "".join(f"{s:>12,}" for s in results) + f"{'100k / 1k':>12}")
    for name in next(iter(results.values())):
        costs = [results[s][name] for s in results]
        print(f"{name:<34}" + "".join(f"{c:>12.2f}" for c in costs) + f"{costs[-1] / costs[0]:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args()
    servers, started = servers_for_tests()  # started before the event loop: starting waits synchronously
    try:
        asyncio.run(run(servers))
    finally:
        if started is not None:
            stop_servers(started)


if __name__ == "__main__":
    main()
