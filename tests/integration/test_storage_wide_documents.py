"""Documents with thousands of fields read back and update exactly, field order included.

A day's counter holds one mark per counted event, so it grows to thousands of fields; the local database
indexes the fields of such objects once when it reads them, and appends a new field without a scan. These
tests pin what must not change with that: every value and type comes back, in the stored order, and
updates that set, add, remove and guard on fields of a wide object act on exactly the field named.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from bson import Int64
from gridline.testing import Sandbox

pytestmark = pytest.mark.integration

WIDTH = 3_000  # far past the width at which the server switches to indexed lookups


def _value(n: int) -> Any:
    """A mix of the BSON types a document holds, varied by position."""
    kinds: list[Any] = [
        n,
        Int64(2**40 + n),
        n + 0.5,
        f"text-{n}",
        None,
        True,
        datetime(2026, 12, 1, 8, n % 60, tzinfo=UTC),
        [n, f"a{n}", {"inner": n}],
        {"nested": n, "list": [n]},
    ]
    return kinds[n % len(kinds)]


def _wide(prefix: str) -> dict[str, Any]:
    # Keys in an order that is neither sorted nor insertion-by-number, so a reordering would show.
    return {f"{prefix}{(n * 7919) % WIDTH:05d}": _value(n) for n in range(WIDTH)}


async def test_a_wide_document_reads_back_whole_and_in_order(sandbox: Sandbox) -> None:
    wide = sandbox.database("registry")["wide"]
    document = {"_id": "w1", **_wide("top"), "inside": _wide("in")}
    await wide.insert_one(document)

    found = await wide.find_one({"_id": "w1"})

    assert found == document
    assert list(found) == list(document)
    assert list(found["inside"]) == list(document["inside"])


async def test_updates_of_a_wide_object_touch_only_the_named_fields(sandbox: Sandbox) -> None:
    wide = sandbox.database("registry")["wide"]
    marks = {f"m{n:05d}": True for n in range(WIDTH)}
    await wide.insert_one({"_id": "w2", "count": 0, "applied": dict(marks)})

    middle = f"m{WIDTH // 2:05d}"
    first = await wide.update_one(
        {"_id": "w2", "applied.fresh": {"$exists": False}},
        {"$inc": {"count": 1}, "$set": {"applied.fresh": True, f"applied.{middle}": "replaced"}},
    )
    again = await wide.update_one(
        {"_id": "w2", "applied.fresh": {"$exists": False}},
        {"$inc": {"count": 1}, "$set": {"applied.fresh": True}},
    )
    await wide.update_one({"_id": "w2"}, {"$unset": {"applied.m00000": ""}})

    assert (first.modified_count, again.modified_count) == (1, 0)  # the guard sees the field just added
    found = await wide.find_one({"_id": "w2"})
    expected = {**marks, middle: "replaced", "fresh": True}
    del expected["m00000"]
    assert found is not None
    assert found["count"] == 1
    assert found["applied"] == expected
    assert list(found["applied"]) == list(expected)  # replaced in place, added last, removed gone
    assert await wide.count_documents({"_id": "w2", f"applied.{middle}": "replaced"}) == 1
    assert await wide.count_documents({"_id": "w2", "applied.m00000": {"$exists": True}}) == 0
