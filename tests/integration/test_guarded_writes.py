"""Guarded writes are atomic on the real database: two replicas writing under one guard never both apply."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from gridline import jobs, mongo
from gridline.clock import FixedClock
from gridline.mongo import GuardedUpdate, update_each_guarded, update_guarded
from gridline.testing import Sandbox

pytestmark = pytest.mark.integration


async def test_a_write_happens_only_while_its_guard_holds(sandbox: Sandbox) -> None:
    coll = sandbox.database("registry")["things"]
    await coll.insert_one({"_id": "a", "version": 2, "box": [{"id": "e1"}, {"id": "e2"}], "gone": None})

    assert not await update_guarded(coll, "a", {"version": 1}, {"$set": {"x": "stale"}})
    assert not await update_guarded(coll, "missing", {"version": 2}, {"$set": {"x": "nobody"}})
    assert not await update_guarded(coll, "a", {"box.2": {"$exists": True}}, {"$set": {"x": "too long"}})
    assert await update_guarded(
        coll, "a", {"version": 2, "box.1.id": "e2", "box.2": {"$exists": False}}, {"$inc": {"version": 1}}
    )
    assert await update_guarded(coll, "a", {"gone": None, "never_set": None}, {"$set": {"x": "nulls match"}})
    assert await update_guarded(coll, "a", {"version": {"$gte": 3}}, {"$set": {"y": 1}})

    stored = await coll.find_one({"_id": "a"})
    assert stored == {
        "_id": "a",
        "version": 3,
        "box": [{"id": "e1"}, {"id": "e2"}],
        "gone": None,
        "x": "nulls match",
        "y": 1,
    }


async def test_two_replicas_writing_under_the_same_guards_apply_each_change_once(sandbox: Sandbox) -> None:
    # Separate clients, as two service replicas have: nothing in this process orders their writes.
    first, second = mongo.connect(sandbox.servers.mongodb), mongo.connect(sandbox.servers.mongodb)
    try:
        name = f"{sandbox.name}_registry"
        await first[name].things.insert_many([{"_id": f"p{i}", "version": 1} for i in range(300)])
        change = [GuardedUpdate(f"p{i}", {"version": 1}, {"$inc": {"version": 1, "writes": 1}}) for i in range(300)]

        applied = await asyncio.gather(
            update_each_guarded(first[name].things, change),
            update_each_guarded(second[name].things, change[::-1]),
            *(
                update_guarded(second[name].things, f"p{i}", {"version": 1}, {"$inc": {"version": 1, "writes": 1}})
                for i in range(0, 300, 7)
            ),
        )

        assert sum(int(a) for a in applied) == 300
        assert await first[name].things.count_documents({"writes": 1}) == 300
        assert await first[name].things.count_documents({"writes": {"$gt": 1}}) == 0
    finally:
        await first.close()
        await second.close()


async def test_a_due_job_is_claimed_by_exactly_one_of_two_runners(sandbox: Sandbox) -> None:
    clock = FixedClock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    first, second = mongo.connect(sandbox.servers.mongodb), mongo.connect(sandbox.servers.mongodb)
    try:
        name = f"{sandbox.name}_registry"
        await mongo.ensure_indexes(first[name], jobs.INDEXES)
        for n in range(40):
            await jobs.schedule(
                first[name],
                job_id=f"j{n}",
                kind="tick",
                due_at=clock.now() - timedelta(seconds=n),
                payload={},
                clock=clock,
            )
        runners = [
            jobs.JobRunner(db=db[name], kinds=[], clock=clock, settings=None, holder=holder)
            for db, holder in ((first, "a"), (second, "b"))
        ]

        async def claim_all(runner: jobs.JobRunner) -> list[str]:
            claimed = []
            while (job := await runner.claim(["tick"])) is not None:
                claimed.append(job["_id"])
            return claimed

        by_a, by_b = await asyncio.gather(claim_all(runners[0]), claim_all(runners[1]))

        assert sorted(by_a + by_b) == sorted(f"j{n}" for n in range(40))
        assert not set(by_a) & set(by_b)
    finally:
        await first.close()
        await second.close()
