"""How long re-classifying people takes after a risk-area declaration, on the real Kafka and FerretDB.

Seeds N registered people (a share of them arrived from the area to be declared), declares the area over
HTTP, and times: the stored job re-classifying everyone who came from there, and the outbox relay
publishing every resulting `person.classified` event. Beside it, the raw driver doing the same read and
one unguarded write per person with no rules, no events and no job, so the ratio shows what the platform
adds over the least this server can do.

  uv run python bench/reclassify.py --persons 100000 --share 1.0
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from gridline import mongo
from gridline.mongo import UpdateOne
from gridline.testing import Running, Sandbox, Secrets, servers_for_tests, stop_servers
from people import AREA, divisions, seed
from registry.main import create_app
from registry.settings import RegistrySettings


async def seed_people(sandbox: Sandbox, count: int, share: float) -> float:
    seconds = await seed(sandbox, range(count), from_area=int(count * share))
    await divisions(sandbox)
    return seconds


async def declare_and_wait(sandbox: Sandbox, running: Running) -> tuple[float, float, dict[str, Any]]:
    """Seconds until the job finished, seconds until every classified event was published, job progress."""
    client = running.clients["registry"]
    db = sandbox.database("registry")
    try:
        headers = sandbox.secrets.headers("platform_admin", jurisdiction="33")
        started = time.perf_counter()
        response = await client.post("/v1/risk-areas", json={"division_code": AREA, "level": "high"}, headers=headers)
        response.raise_for_status()
        job = await _wait(lambda: db["jobs"].find_one({"kind": "reclassify", "status": "done"}))
        job_seconds = time.perf_counter() - started
        # Counted on Kafka, not in the database: polling the database would slow down what it measures.
        await sandbox.read_topic("registry.person.v1", at_least=job["progress"]["changed"], timeout=3600)
        return job_seconds, time.perf_counter() - started, job["progress"]
    finally:
        await running.close()


async def _wait(check: Any, timeout: float = 3600) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(1)
    raise TimeoutError("benchmark step did not finish")


async def raw_driver_pass(sandbox: Sandbox) -> tuple[float, float]:
    """The same read pass, then one write per person by bare `_id` in batches: the floor for this work.

    No guard, no rules, no events, no job: the least a correct re-classification could ask of this server.
    Returns the seconds of the read (finding who came from the area) and of the writes.
    """
    db, started = sandbox.database("registry"), time.perf_counter()
    people = await db["persons"].find({"origins": AREA, "status": "active"}, {"_id": 1}).to_list(None)
    found = time.perf_counter()
    for start in range(0, len(people), mongo.MAX_UPDATES_PER_COMMAND):
        writes = [
            UpdateOne({"_id": p["_id"]}, {"$set": {"raw": 1}, "$inc": {"version": 1}})
            for p in people[start : start + mongo.MAX_UPDATES_PER_COMMAND]
        ]
        await db["persons"].bulk_write(writes, ordered=False)
    return found - started, time.perf_counter() - found


async def measure(args: argparse.Namespace, sandbox: Sandbox) -> None:
    try:
        await sandbox.create_topics()
        # The service starts on an empty database, as it does in production: its indexes exist before the people.
        running = Running()
        await running.start("registry", create_app(RegistrySettings(**sandbox.settings("registry"))))  # type: ignore[arg-type]
        seeded = await seed_people(sandbox, args.persons, args.share)
        job_s, published_s, progress = await declare_and_wait(sandbox, running)
        raw_read_s, raw_write_s = await raw_driver_pass(sandbox)
        report(args, seeded, job_s, published_s, progress, (raw_read_s, raw_write_s))
    finally:
        await sandbox.drop(["registry"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=1.0, help="share of people who came from the area")
    args = parser.parse_args()
    found, started = servers_for_tests()
    try:
        asyncio.run(measure(args, Sandbox(found, Secrets(Path(mkdtemp())))))
    finally:
        if started is not None:
            stop_servers(started)


def report(
    args: Any, seeded: float, job_s: float, published_s: float, progress: dict[str, Any], raw: tuple[float, float]
) -> None:
    changed, (raw_read, raw_write) = progress["changed"], raw
    print(f"persons seeded            {args.persons:>9,}  ({seeded:.1f} s, {args.persons / seeded:,.0f}/s)")
    print(f"came from the area        {progress['seen']:>9,}  re-classified: {changed:,}")
    print(f"declaration → job done    {job_s:>9.1f} s  ({changed / job_s:,.1f} persons/s)")
    print(f"declaration → all events  {published_s:>9.1f} s  ({changed / published_s:,.1f} events/s published)")
    print(f"raw driver: find them     {raw_read:>9.1f} s")
    print(f"raw driver: bare writes   {raw_write:>9.1f} s  ({raw_write / max(changed, 1) * 1000:,.0f} ms per write)")
    print(f"job / raw driver          {job_s / (raw_read + raw_write):>9.2f}")
    print(f"peak RSS                  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>9.0f} MiB")


if __name__ == "__main__":
    main()
