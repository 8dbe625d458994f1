"""Synthetic registered people for the benchmarks: well-formed ID numbers, stored as registration stores them."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from typing import Any

from gridline.clock import SystemClock
from gridline.outbox import OUTBOX, PENDING_SINCE
from gridline.testing import Sandbox
from registry.persons.models import PersonCreate
from registry.persons.registration import prepare
from registry.rules import snapshot as snapshots
from registry.settings import RegistrySettings

COUNTY, COMMUNITY, GRID, AREA = "330106", "330106001001", "bench-grid", "420106"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def prc_id(n: int) -> str:
    first17 = f"{COUNTY}{date(1960, 1, 1) + timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"  # unique per n
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def person_body(n: int, *, from_area: bool, grid_id: str = GRID) -> PersonCreate:
    origin = f"{AREA}001" if from_area else "440305"
    return PersonCreate.model_validate(
        {
            "name": "测试人员",
            "document": {"type": "prc_id", "number": prc_id(n)},
            "phone": "13905710001",
            "community_code": COMMUNITY,
            "grid_id": grid_id,
            "episodes": [
                {
                    "category": "non_local_arrival",
                    "origin_division_code": origin,
                    "arrival_date": str(date.today() - timedelta(days=3)),
                }
            ],
        }
    )


async def seed(sandbox: Sandbox, numbers: range, *, from_area: int = 0, grid_id: str = GRID) -> float:
    """Store people `numbers` as registered and already published; the first `from_area` came from AREA.

    Returns the seconds taken.
    """
    db, clock, started = sandbox.database("registry"), SystemClock(), time.perf_counter()
    snapshot = await snapshots.load(db=db, clock=clock)
    protector = RegistrySettings(**sandbox.settings("registry")).protector()  # type: ignore[arg-type]
    batch: list[dict[str, Any]] = []
    for n in numbers:
        doc = prepare(
            body=person_body(n * 7 + 1, from_area=n - numbers.start < from_area, grid_id=grid_id),
            person_id=str(uuid.uuid4()),
            actor="bench",
            protector=protector,
            clock=clock,
            snapshot=snapshot,
        )
        batch.append({k: v for k, v in doc.items() if k not in (OUTBOX, PENDING_SINCE)})
        if len(batch) == 2000 or n == numbers[-1]:
            await db["persons"].insert_many(batch, ordered=False)
            batch = []
    return time.perf_counter() - started


async def divisions(sandbox: Sandbox) -> None:
    """The township and community the people live in, as an operator loads them."""
    await sandbox.database("registry")["divisions"].insert_many(
        [
            {"_id": "330106001", "name": "街道", "level": "township", "parent": COUNTY},
            {"_id": COMMUNITY, "name": "社区", "level": "community", "parent": "330106001"},
        ]
    )
