"""What a guarded update costs as a document widens: 10, 1,000, 3,000 and 10,000 fields in one object.

A day's counter (monitoring's `daily_stats`, duty's `report_counters`) marks every event it counted, so
that a redelivered event counts once; by evening it holds thousands of marks, and every count rewrites it.
At each width, on the real servers, a counter with that many marks takes `--updates` counts, each one
`update_guarded` adding a mark under an "is this mark absent" guard, exactly as the counters do. The table
gives the median milliseconds per count, the figure per thousand fields, and each width against 10.

  uv run python bench/wide_documents.py
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from pathlib import Path
from tempfile import mkdtemp

from gridline.mongo import update_guarded
from gridline.testing import Sandbox, Secrets, Servers, servers_for_tests, stop_servers

WIDTHS = (10, 1_000, 3_000, 10_000)


async def run(servers: Servers, updates: int) -> None:
    sandbox = Sandbox(servers, Secrets(Path(mkdtemp())))
    counters = sandbox.database("monitoring")["wide_counters"]
    medians: dict[int, float] = {}
    try:
        for width in WIDTHS:
            key = f"counter-{width}"
            await counters.insert_one({"_id": key, "count": 0, "applied": {f"{n:024x}": True for n in range(width)}})
            spent = []
            for _ in range(updates):
                mark = uuid.uuid4().hex[:24]
                started = time.perf_counter()
                applied = await update_guarded(
                    counters,
                    key,
                    {f"applied.{mark}": {"$exists": False}},
                    {"$inc": {"count": 1}, "$set": {f"applied.{mark}": True}},
                )
                spent.append((time.perf_counter() - started) * 1000)
                assert applied, "a fresh mark must apply"
            medians[width] = statistics.median(spent)
    finally:
        await sandbox.drop(["monitoring"])
    print(f"{'fields in the object':>22}{'ms per count':>14}{'ms per 1k fields':>18}{'vs 10 fields':>14}")
    for width, ms in medians.items():
        print(f"{width:>22,}{ms:>14.2f}{ms / width * 1000:>18.2f}{ms / medians[WIDTHS[0]]:>14.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=100, help="counts timed at each width")
    args = parser.parse_args()
    servers, started = servers_for_tests()  # started before the event loop: starting waits synchronously
    try:
        asyncio.run(run(servers, args.updates))
    finally:
        if started is not None:
            stop_servers(started)


if __name__ == "__main__":
    main()
