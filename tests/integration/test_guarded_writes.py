"""Guarded single-document writes behave the same on the real database as MongoDB's filter would."""

from __future__ import annotations

import asyncio

import pytest
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

    stored = await coll.find_one({"_id": "a"})
    assert stored == {"_id": "a", "version": 3, "box": [{"id": "e1"}, {"id": "e2"}], "gone": None, "x": "nulls match"}


async def test_concurrent_writers_with_the_same_guard_apply_exactly_once(sandbox: Sandbox) -> None:
    coll = sandbox.database("registry")["things"]
    await coll.insert_many([{"_id": f"p{i}", "version": 1} for i in range(60)])
    change = [GuardedUpdate(f"p{i}", {"version": 1}, {"$inc": {"version": 1, "writes": 1}}) for i in range(60)]

    applied = await asyncio.gather(update_each_guarded(coll, change), update_each_guarded(coll, change[::-1]))

    assert sum(applied) == 60
    assert await coll.count_documents({"version": 2, "writes": 1}) == 60


async def test_an_operator_the_guard_cannot_check_is_refused(sandbox: Sandbox) -> None:
    coll = sandbox.database("registry")["things"]
    await coll.insert_one({"_id": "a", "version": 1})
    with pytest.raises(ValueError, match="not supported"):
        await update_guarded(coll, "a", {"version": {"$gt": 0}}, {"$set": {"x": 1}})
