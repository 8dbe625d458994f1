"""Reading a day's report for a division: the counters of its communities, summed at query time."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.auth import Principal
from gridline.errors import NotFound
from gridline.mongo import Database, read

from duty.reports import rollup
from duty.reports.ledger import COUNTERS
from duty.reports.models import Counts, DailyReport, DivisionCounts, Publication

DAYS = "report_days"
# Read in pages of this many counters (one per community): a province's day is read page by page.
PAGE = 500


async def paged(
    *, db: Database, collection: str, query: dict[str, Any], projection: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every document matching an indexed equality query, read in pages ordered by id."""
    found: list[dict[str, Any]] = []
    after = ""
    while True:
        page = await read(
            db[collection].find({**query, "_id": {"$gt": after}}, projection).sort("_id", 1).limit(PAGE), PAGE
        )
        found += page
        if len(page) < PAGE:
            return found
        after = page[-1]["_id"]


async def counters_under(*, db: Database, division_code: str, day: date) -> list[dict[str, Any]]:
    """Every community counter of the day inside the division, by the (scope, day, _id) index."""
    return await paged(
        db=db, collection=COUNTERS, query={"scope": division_code, "day": day.isoformat()}, projection={"applied": 0}
    )


async def daily_report(*, db: Database, principal: Principal, division_code: str, day: date) -> DailyReport:
    if not principal.covers_division(division_code):
        raise NotFound("division")
    return await build(db=db, division_code=division_code, day=day)


async def build(*, db: Database, division_code: str, day: date) -> DailyReport:
    counters = await counters_under(db=db, division_code=division_code, day=day)
    summed, communities = rollup.total(counters)
    children = []
    level = rollup.next_level(division_code)
    if level is not None:
        for code, (counts, seen) in rollup.by_division(counters, below=division_code).items():
            if len(code) == level:
                children.append(
                    DivisionCounts(division_code=code, communities=seen, counts=Counts.model_validate(counts))
                )
    published = await db[DAYS].find_one({"_id": day.isoformat()})
    return DailyReport(
        division_code=division_code,
        day=day,
        communities=communities,
        counts=Counts.model_validate(summed),
        children=children,
        published=Publication(revision=published["revision"], published_at=published["published_at"])
        if published
        else None,
    )
