"""Reading the day's figures for a jurisdiction: its grid counters summed, and split one level down."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from gridline.auth import Principal
from gridline.errors import NotFound
from gridline.mongo import Database, read

from monitoring.stats.models import CheckinFigures, DailyStatsRead, Figures, NatFigures, PlanFigures, UnitFigures
from monitoring.stats.store import COLLECTION, NO_GRID

_NEXT_LEVEL = {2: 4, 4: 6, 6: 9, 9: 12}
_MAX_UNITS = 50_000  # grid-days of a whole province; a county has a few thousand


async def daily(*, db: Database, principal: Principal, day: date, division: str | None) -> DailyStatsRead:
    target = division or principal.jurisdiction
    if not _may_see(principal, target):
        raise NotFound("division")
    query = {"scope": target, "day": day.isoformat()}
    docs = await read(db[COLLECTION].find(query, {"applied": 0, "_id": 0}), _MAX_UNITS)
    docs = [d for d in docs if principal.jurisdiction in d["scope"]]
    children: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        children.setdefault(_unit(doc, target), []).append(doc)
    units = [UnitFigures(unit=unit, **_sum(group).model_dump()) for unit, group in sorted(children.items())]
    return DailyStatsRead(day=day, division=target, totals=_sum(docs), children=units)


def _may_see(principal: Principal, target: str) -> bool:
    if principal.jurisdiction.startswith("grid:"):
        return target == principal.jurisdiction
    return target.startswith("grid:") or target.startswith(principal.jurisdiction)


def _unit(doc: dict[str, Any], target: str) -> str:
    if target.startswith("grid:"):
        return target.removeprefix("grid:")
    level = _NEXT_LEVEL.get(len(target))
    code: str = doc["community_code"]
    return code[:level] if level else (doc.get("grid_id") or NO_GRID)


def _sum(docs: list[dict[str, Any]]) -> Figures:
    people: Counter[str] = Counter()
    alerts: Counter[str] = Counter()
    checkins: Counter[str] = Counter()
    plans: Counter[str] = Counter()
    nat: Counter[str] = Counter()
    for doc in docs:
        people.update(doc.get("people", {}))
        alerts.update(doc.get("alerts", {}))
        checkins.update(doc.get("checkins", {}))
        plans.update(doc.get("plans", {}))
        nat.update(doc.get("nat", {}))
    pending = checkins["expected"] - checkins["done"] - checkins["missed"]
    return Figures(
        people_by_measure={measure: n for measure, n in people.items() if n},
        checkins=CheckinFigures(**checkins, pending=pending),
        nat=NatFigures(**nat),
        alerts_by_kind={kind: n for kind, n in alerts.items() if n},
        plans=PlanFigures(**plans),
        closed=bool(docs) and all(d.get("closed") for d in docs if d.get("grid_id")),
    )
