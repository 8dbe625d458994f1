"""Everything classification reads, loaded once: rule sets and risk areas as of one moment.

Classifying 100,000 people must not cost 100,000 queries; a snapshot makes classification a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from gridline.clock import Clock, local_today
from gridline.mongo import Database

from registry.rules.models import RuleSet
from registry.rules.seed import PROVINCE_DEFAULT
from registry.vocabulary import RiskLevel

RULE_SETS = "rule_sets"
RISK_AREAS = "risk_areas"
RISK_WINDOW = timedelta(days=14)  # arrivals up to this long before a declaration came from inside the area
_RANK = {RiskLevel.NONE: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


@dataclass(frozen=True)
class RiskArea:
    division_code: str
    level: RiskLevel
    declared_at: datetime
    lifted_at: datetime | None


@dataclass(frozen=True)
class Snapshot:
    today: date
    now: datetime
    rule_sets: list[RuleSet]
    risk_areas: list[RiskArea]

    def rule_set_for(self, county: str) -> RuleSet:
        """The county's own newest effective rule set, else the province's, else the seed."""
        for scope in (county, county[:2]):
            candidates = [r for r in self.rule_sets if r.scope == scope and r.effective_from <= self.today]
            if candidates:
                return max(candidates, key=lambda r: (r.effective_from, r.version))
        return PROVINCE_DEFAULT

    def origin_risk(self, origin_code: str | None, arrival: date | None) -> RiskLevel:
        """The highest level of any area in effect now that contains the origin and that the person left
        within the window before its declaration (or after it)."""
        if not origin_code:
            return RiskLevel.NONE
        levels = [
            area.level
            for area in self.risk_areas
            if origin_code.startswith(area.division_code)
            and self._in_effect(area)
            and _arrived_in_window(area, arrival)
        ]
        return max(levels, key=_RANK.__getitem__, default=RiskLevel.NONE)

    def _in_effect(self, area: RiskArea) -> bool:
        return area.declared_at <= self.now and (area.lifted_at is None or area.lifted_at > self.now)


def _arrived_in_window(area: RiskArea, arrival: date | None) -> bool:
    if arrival is None:
        return True
    return arrival >= (area.declared_at - RISK_WINDOW).date()


async def load(*, db: Database, clock: Clock) -> Snapshot:
    rule_sets = [RuleSet.model_validate(_strip(d)) async for d in db[RULE_SETS].find({})]
    areas = [_area(d) async for d in db[RISK_AREAS].find({"lifted_at": None})]
    areas += [_area(d) async for d in db[RISK_AREAS].find({"lifted_at": {"$gt": clock.now()}})]
    return Snapshot(local_today(clock), clock.now(), rule_sets, areas)


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _area(doc: dict[str, Any]) -> RiskArea:
    return RiskArea(
        doc["division_code"],
        RiskLevel(doc["level"]),
        _utc(doc["declared_at"]),
        _utc(doc["lifted_at"]) if doc.get("lifted_at") else None,
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
