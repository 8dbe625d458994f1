"""Which rule set is in force for a county on a day, and the seeding of the first one."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.mongo import DESCENDING, Database, Index

from registry.rules.models import RuleSet
from registry.rules.seed import PROVINCE_DEFAULT

COLLECTION = "rule_sets"
INDEXES = [Index(COLLECTION, (("scope", 1), ("effective_from", DESCENDING), ("version", DESCENDING)))]


def _document(rule_set: RuleSet) -> dict[str, Any]:
    return {"_id": f"{rule_set.id}:{rule_set.version}", **rule_set.model_dump(mode="json")}


async def ensure_seeded(*, db: Database) -> None:
    """Store the seed rule set once; later versions come through the API and are never overwritten."""
    doc = _document(PROVINCE_DEFAULT)
    await db[COLLECTION].update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)


async def in_force(*, db: Database, county: str, on: date) -> RuleSet:
    """The county's own newest effective rule set, else the province default."""
    for scope in (county, county[:2]):
        doc = await db[COLLECTION].find_one(
            {"scope": scope, "effective_from": {"$lte": on.isoformat()}},
            sort=[("effective_from", DESCENDING), ("version", DESCENDING)],
        )
        if doc:
            return RuleSet.model_validate({k: v for k, v in doc.items() if k != "_id"})
    return PROVINCE_DEFAULT
