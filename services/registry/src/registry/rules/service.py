"""Storing rule sets, and seeding the first one."""

from __future__ import annotations

from typing import Any

from gridline.mongo import DESCENDING, Database, Index

from registry.rules.models import RuleSet
from registry.rules.seed import PROVINCE_DEFAULT
from registry.rules.snapshot import RULE_SETS

COLLECTION = RULE_SETS
INDEXES = [Index(COLLECTION, (("scope", 1), ("effective_from", DESCENDING), ("version", DESCENDING)))]


def _document(rule_set: RuleSet) -> dict[str, Any]:
    return {"_id": f"{rule_set.id}:{rule_set.version}", **rule_set.model_dump(mode="json")}


async def ensure_seeded(*, db: Database) -> None:
    """Store the seed rule set once; later versions come through the API and are never overwritten."""
    doc = _document(PROVINCE_DEFAULT)
    await db[COLLECTION].update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)
