"""The local database's index planner narrows what it reads, never what a query returns.

The same documents go into two collections: one with indexes, whose queries the planner serves from key
tables, and one without, whose queries FerretDB evaluates in full over every document. Every query must
return the same documents from both (in the same order where it is sorted), across the cases that make
index pushdown wrong when done carelessly: arrays holding the value, empty arrays, missing fields, null,
numbers of another BSON type (int32, int64 beyond 2^53, double, -0.0), strings against numbers, dotted
paths through arrays of documents, and descending index fields.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import Int64, ObjectId
from gridline.mongo import ASCENDING, DESCENDING, Database, read
from gridline.testing import Sandbox

pytestmark = pytest.mark.integration

OIDS = [ObjectId(f"{i:024x}") for i in (1, 2, 3)]
SCALARS: list[Any] = [
    -3,
    0,
    1,
    2,
    7,
    2**31 - 1,
    Int64(1),
    Int64(2**53 + 1),
    Int64(2**53),
    Int64(-(2**60) - 7),
    1.0,
    -0.0,
    2.5,
    1e20,
    float(2**53),
    "",
    "1",
    "a",
    "ab",
    "b",
    "é",
    "中文",
    True,
    False,
    None,
    datetime(2026, 1, 1, tzinfo=UTC),
    datetime(2026, 1, 2, tzinfo=UTC),
    *OIDS,
]
BOUNDABLE = [v for v in SCALARS if v is not None and not isinstance(v, bool)]


def scalar(rng: random.Random) -> Any:
    return rng.choice(SCALARS)


def any_value(rng: random.Random) -> Any:
    shape = rng.randrange(6)
    if shape == 0:
        return [scalar(rng) for _ in range(rng.randrange(4))]  # includes the empty array
    if shape == 1:
        return {"b": scalar(rng)}
    return scalar(rng)


def nested(rng: random.Random) -> Any:
    shape = rng.randrange(5)
    if shape == 0:
        return {"d": scalar(rng)}
    if shape == 1:
        return [{"d": scalar(rng)} if rng.random() < 0.8 else scalar(rng) for _ in range(rng.randrange(1, 3))]
    if shape == 2:
        return {"d": [scalar(rng) for _ in range(rng.randrange(3))]}
    if shape == 3:
        return {"e": 1}
    return scalar(rng)


def document(rng: random.Random, n: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"_id": f"k{n:04d}", "u": scalar(rng)}
    if rng.random() < 0.85:
        doc["a"] = any_value(rng)
    if rng.random() < 0.85:
        doc["b"] = scalar(rng)  # never an array: its index can give sorted reads
    if rng.random() < 0.85:
        doc["c"] = nested(rng)
    return doc


def condition(rng: random.Random, path: str) -> dict[str, Any]:
    kind = rng.randrange(9)
    if kind == 0:
        return {path: scalar(rng)}
    if kind == 1:
        return {path: {"$eq": scalar(rng)}}
    if kind == 2:
        return {path: {"$in": [scalar(rng) for _ in range(rng.randrange(1, 4))]}}
    if kind == 3:
        low, high = rng.choice(BOUNDABLE), rng.choice(BOUNDABLE)
        return {path: {rng.choice(["$gt", "$gte"]): low, rng.choice(["$lt", "$lte"]): high}}
    if kind == 4:
        return {path: None}
    return {path: {rng.choice(["$gt", "$gte", "$lt", "$lte"]): rng.choice(BOUNDABLE)}}


def query(rng: random.Random) -> dict[str, Any]:
    paths = ["a", "b", "c.d", "a", "b"]
    shape = rng.randrange(6)
    if shape == 0:
        return {**condition(rng, rng.choice(paths)), **condition(rng, "u")}
    if shape == 1:
        return {"$and": [condition(rng, rng.choice(paths)), condition(rng, rng.choice(paths))]}
    if shape == 2:
        return {"$or": [condition(rng, rng.choice(paths)), condition(rng, rng.choice(paths))]}
    if shape == 3:
        return {**condition(rng, "b"), **condition(rng, "a")}
    return condition(rng, rng.choice(paths))


async def ids(db: Database, collection: str, filter_: dict[str, Any], **options: Any) -> list[str]:
    cursor = db[collection].find(filter_, {"_id": 1})
    if "sort" in options:
        cursor = cursor.sort(options["sort"])
    if "limit" in options:
        cursor = cursor.limit(options["limit"])
    return [d["_id"] for d in await read(cursor, None)]


@pytest.fixture
async def twins(sandbox: Sandbox) -> Database:
    """400 documents of every awkward shape, in an indexed collection and in an unindexed twin."""
    db = sandbox.database("storage")
    rng = random.Random(20261201)
    docs = [document(rng, n) for n in range(400)]
    await db.indexed.create_index([("a", ASCENDING)])
    await db.indexed.create_index([("b", ASCENDING), ("_id", ASCENDING)])
    await db.indexed.create_index([("c.d", ASCENDING)])
    await db.indexed.create_index([("a", ASCENDING), ("b", DESCENDING)])
    await db.indexed.insert_many(docs)
    await db.plain.insert_many(docs)
    return db


async def test_indexed_queries_return_what_full_evaluation_returns(twins: Database) -> None:
    rng = random.Random(7)
    for _ in range(500):
        filter_ = query(rng)
        expected = sorted(await ids(twins, "plain", filter_))
        assert sorted(await ids(twins, "indexed", filter_)) == expected, filter_


async def test_sorted_limited_reads_keep_the_order_and_the_documents(twins: Database) -> None:
    rng = random.Random(11)
    for _ in range(200):
        filter_ = {**condition(rng, "b"), **(condition(rng, "u") if rng.random() < 0.3 else {})}
        direction = rng.choice([ASCENDING, DESCENDING])
        options = {"sort": [("b", direction), ("_id", direction)], "limit": rng.randrange(1, 30)}
        expected = await ids(twins, "plain", filter_, **options)
        assert await ids(twins, "indexed", filter_, **options) == expected, (filter_, options)


async def test_documents_changed_and_removed_leave_the_index_with_them(twins: Database) -> None:
    rng = random.Random(3)
    for n in range(0, 400, 7):
        change = {"$set": {"a": any_value(rng), "b": scalar(rng)}, "$unset": {"c": ""}}
        for name in ("indexed", "plain"):
            await twins[name].update_one({"_id": f"k{n:04d}"}, change)
    await twins.indexed.delete_many({"b": {"$in": [1, "a"]}})
    await twins.plain.delete_many({"b": {"$in": [1, "a"]}})
    for _ in range(200):
        filter_ = query(rng)
        assert sorted(await ids(twins, "indexed", filter_)) == sorted(await ids(twins, "plain", filter_)), filter_


async def test_the_planner_reads_through_indexes_and_in_order(twins: Database) -> None:
    explain = await twins.command(
        "explain", {"find": "indexed", "filter": {"b": "a", "_id": {"$gt": "k0100"}}, "sort": {"_id": 1}}
    )
    plan = " | ".join(explain["queryPlanner"]["Plan"])
    assert explain["filterPushdown"], plan
    assert explain["sortPushdown"], plan
    assert "SCAN" not in plan, plan
    unindexed = await twins.command("explain", {"find": "plain", "filter": {"b": "a"}})
    assert "SCAN" in " | ".join(unindexed["queryPlanner"]["Plan"])


EDGE_DOCUMENTS: list[dict[str, Any]] = [
    {"_id": "array-both-sides", "a": [1, 10], "b": 1},
    {"_id": "empty-array", "a": [], "b": None},
    {"_id": "missing", "u": 1},
    {"_id": "null", "a": None, "b": None},
    {"_id": "array-with-null", "a": [None, 3]},
    {"_id": "beyond-2-53", "a": Int64(2**53 + 1), "b": Int64(2**53 + 1)},
    {"_id": "double-2-53", "a": float(2**53), "b": float(2**53)},
    {"_id": "minus-zero", "a": -0.0, "b": -0.0},
    {"_id": "int-zero", "a": 0, "b": Int64(0)},
    {"_id": "string-one", "a": "1", "b": "1"},
    {"_id": "date", "a": datetime(2026, 1, 1, tzinfo=UTC), "b": datetime(2026, 1, 1, tzinfo=UTC)},
    {"_id": "through-array", "c": [{"d": 1}, {"e": 2}], "b": 2},
    {"_id": "array-at-leaf", "c": {"d": [1, 5]}, "b": 3},
    {"_id": "scalar-on-path", "c": 5, "b": 4},
    {"_id": "embedded", "a": {"b": 1}, "b": 5},
]
EDGE_QUERIES: list[dict[str, Any]] = [
    {"a": {"$gt": 5, "$lt": 3}},
    {"a": {"$gte": 10, "$lte": 1}},
    {"a": None},
    {"a": {"$in": [None, 1]}},
    {"a": 3},
    {"a": 2**53 + 1},
    {"a": Int64(2**53)},
    {"a": float(2**53)},
    {"a": {"$gt": float(2**53)}},
    {"b": {"$gte": Int64(2**53), "$lt": Int64(2**53 + 2)}},
    {"a": 0},
    {"b": 0.0},
    {"b": -0.0},
    {"a": 1},
    {"a": "1"},
    {"a": {"$gt": 0}},
    {"a": {"$lt": "z"}},
    {"b": {"$gt": datetime(2025, 1, 1, tzinfo=UTC)}},
    {"b": None},
    {"b": {"$in": [None, "1"]}},
    {"c.d": 1},
    {"c.d": 5},
    {"c.d": {"$gt": 2}},
    {"c.d": None},
    {"a": 1, "b": {"$gt": 0}},
    {"$or": [{"a": 10}, {"b": 4}]},
    {"$or": [{"a": 10}, {"u": 1}]},
]


async def test_the_cases_that_make_pushdown_wrong_return_what_full_evaluation_returns(sandbox: Sandbox) -> None:
    db = sandbox.database("storage")
    await db.indexed.create_index([("a", ASCENDING)])
    await db.indexed.create_index([("b", ASCENDING), ("_id", ASCENDING)])
    await db.indexed.create_index([("c.d", ASCENDING)])
    await db.indexed.create_index([("a", ASCENDING), ("b", DESCENDING)])
    await db.indexed.insert_many(EDGE_DOCUMENTS)
    await db.plain.insert_many(EDGE_DOCUMENTS)
    for filter_ in EDGE_QUERIES:
        expected = sorted(await ids(db, "plain", filter_))
        assert sorted(await ids(db, "indexed", filter_)) == expected, filter_
        sort = [("b", ASCENDING), ("_id", ASCENDING)]
        expected_order = await ids(db, "plain", filter_, sort=sort, limit=5)
        assert await ids(db, "indexed", filter_, sort=sort, limit=5) == expected_order, filter_
