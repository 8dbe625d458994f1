"""Stored jobs of different kinds run side by side: a long one never holds up another kind."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
from gridline.clock import SystemClock
from gridline.jobs import Job, JobContext, JobKind, JobRunner, rearm, schedule, schedule_many
from gridline.mongo import Database
from gridline.testing import Sandbox, eventually

pytestmark = pytest.mark.integration


async def test_a_long_job_does_not_hold_up_a_job_of_another_kind(sandbox: Sandbox) -> None:
    db, clock = sandbox.database("registry"), SystemClock()
    release, done = asyncio.Event(), []

    async def long_import(context: JobContext) -> None:
        await release.wait()
        done.append(context.job["_id"])

    async def reclassify(context: JobContext) -> None:
        done.append(context.job["_id"])

    kinds = [JobKind("long", long_import), JobKind("quick", reclassify)]
    runner = JobRunner(db=db, kinds=kinds, clock=clock, settings=None, holder="test", interval=0.1)
    await schedule(db, job_id="import-1", kind="long", due_at=clock.now(), payload={}, clock=clock)
    await schedule(db, job_id="reclassify-1", kind="quick", due_at=clock.now(), payload={}, clock=clock)
    running = asyncio.create_task(runner.run())
    try:

        async def quick_one_done() -> None:
            assert done == ["reclassify-1"]
            assert (await db["jobs"].find_one({"_id": "reclassify-1"}) or {}).get("status") == "done"

        await eventually(quick_one_done)
        assert (await db["jobs"].find_one({"_id": "import-1"}) or {}).get("status") == "running"

        release.set()

        async def long_one_done() -> None:
            assert (await db["jobs"].find_one({"_id": "import-1"}) or {}).get("status") == "done"

        await eventually(long_one_done)
        assert done == ["reclassify-1", "import-1"]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def test_a_job_interrupted_by_shutdown_is_handed_back_at_once(sandbox: Sandbox) -> None:
    db, clock = sandbox.database("registry"), SystemClock()
    started = asyncio.Event()

    async def long_import(context: JobContext) -> None:
        started.set()
        await asyncio.Event().wait()  # runs until the service stops

    runner = JobRunner(db=db, kinds=[JobKind("long", long_import)], clock=clock, settings=None, holder="old")
    await schedule(db, job_id="import-1", kind="long", due_at=clock.now(), payload={}, clock=clock)
    running = asyncio.create_task(runner.run())
    await asyncio.wait_for(started.wait(), 20)

    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running

    job = await db["jobs"].find_one({"_id": "import-1"})
    assert job is not None
    assert (job["status"], job["attempts"], "lease_until" in job) == ("pending", 0, False)
    successor = JobRunner(db=db, kinds=[JobKind("long", long_import)], clock=clock, settings=None, holder="new")
    claimed = await successor.claim(["long"])
    assert claimed is not None
    assert claimed["holder"] == "new"


async def test_jobs_stored_together_are_stored_once_each_and_a_stored_one_is_left_as_it_was(sandbox: Sandbox) -> None:
    db, clock = sandbox.database("registry"), SystemClock()
    await schedule(db, job_id="escalate-1", kind="quick", due_at=clock.now(), payload={"level": 1}, clock=clock)
    await db["jobs"].update_one({"_id": "escalate-1"}, {"$set": {"status": "done"}})
    jobs = [Job(f"escalate-{n}", "quick", clock.now(), {"level": n}) for n in (1, 2, 3, 2)]
    assert await schedule_many(db, jobs, clock=clock) == 2
    stored = {d["_id"]: d async for d in db["jobs"].find({"_id": {"$regex": "^escalate-"}})}
    assert sorted(stored) == ["escalate-1", "escalate-2", "escalate-3"]
    assert stored["escalate-1"]["status"] == "done"
    assert stored["escalate-1"]["payload"] == {"level": 1}
    assert (stored["escalate-2"]["status"], stored["escalate-2"]["attempts"]) == ("pending", 0)
    assert await schedule_many(db, [], clock=clock) == 0


async def test_a_rearmed_job_runs_again_once_taken_and_a_waiting_one_is_left_to_wait(sandbox: Sandbox) -> None:
    db, clock = sandbox.database("registry"), SystemClock()
    seen: list[str] = []
    release = asyncio.Event()

    async def visit_due(context: JobContext) -> None:
        seen.append(context.job["holder"])
        if len(seen) == 1:
            await release.wait()  # taken before the document it reads is written

    runner = JobRunner(db=db, kinds=[JobKind("visit", visit_due)], clock=clock, settings=None, holder="a")
    await schedule(db, job_id="due-now", kind="visit", due_at=clock.now(), payload={}, clock=clock)
    tomorrow = clock.now() + timedelta(days=1)
    await schedule(db, job_id="due-later", kind="visit", due_at=tomorrow, payload={}, clock=clock)
    running = asyncio.create_task(runner.run())
    try:
        await eventually(lambda: _status(db, "due-now", "running"))

        await rearm(db, "due-now")
        await rearm(db, "due-later")
        release.set()

        await eventually(lambda: _status(db, "due-now", "done"))
        assert len(seen) == 2  # the first run's outcome was not recorded over the re-run
        later = await db["jobs"].find_one({"_id": "due-later"})
        assert later is not None
        assert (later["status"], later["attempts"]) == ("pending", 0)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def _status(db: Database, job_id: str, status: str) -> None:
    assert (await db["jobs"].find_one({"_id": job_id}) or {}).get("status") == status
