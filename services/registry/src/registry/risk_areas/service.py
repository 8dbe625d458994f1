"""How risky the place a person came from is, as declared at a given moment."""

from __future__ import annotations

from datetime import datetime

from gridline.mongo import Database, Index

from registry.vocabulary import RiskLevel

COLLECTION = "risk_areas"
INDEXES = [Index(COLLECTION, (("division_code", 1),))]
_RANK = {RiskLevel.NONE: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


def _prefixes(code: str) -> list[str]:
    return [code[:n] for n in (6, 9, 12) if len(code) >= n]


async def origin_risk(*, db: Database, origin_code: str | None, at: datetime) -> RiskLevel:
    """The highest level of any area containing `origin_code` that is in effect at `at`."""
    if not origin_code:
        return RiskLevel.NONE
    areas = db[COLLECTION].find(
        {
            "division_code": {"$in": _prefixes(origin_code)},
            "declared_at": {"$lte": at},
            "$or": [{"lifted_at": None}, {"lifted_at": {"$gt": at}}],
        }
    )
    levels = [RiskLevel(a["level"]) async for a in areas]
    return max(levels, key=_RANK.__getitem__, default=RiskLevel.NONE)
