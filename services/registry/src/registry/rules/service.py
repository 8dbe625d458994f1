"""Storing rule sets, and seeding the first one."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from gridline import jobs
from gridline.auth import Principal, Role
from gridline.clock import LOCAL_TZ, Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.mongo import DESCENDING, Database, DuplicateKeyError, Index

from registry.rules import snapshot as snapshots
from registry.rules.models import RuleSet
from registry.rules.seed import PROVINCE_DEFAULT
from registry.rules.snapshot import RULE_SETS

RECLASSIFY = "reclassify"  # the job kind that re-classifies everyone a change touches

COLLECTION = RULE_SETS
INDEXES = [Index(COLLECTION, (("scope", 1), ("effective_from", DESCENDING), ("version", DESCENDING)))]


def _document(rule_set: RuleSet) -> dict[str, Any]:
    return {"_id": f"{rule_set.id}:{rule_set.version}", **rule_set.model_dump(mode="json")}


async def ensure_seeded(*, db: Database) -> None:
    """Store the seed rule set once; later versions come through the API and are never overwritten."""
    doc = _document(PROVINCE_DEFAULT)
    await db[COLLECTION].update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)


async def in_force(*, db: Database, clock: Clock, scope: str) -> RuleSet:
    snapshot = await snapshots.load(db=db, clock=clock)
    return snapshot.rule_set_for(scope.ljust(6, "0") if len(scope) == 2 else scope)


async def put(*, db: Database, clock: Clock, principal: Principal, scope: str, body: RuleSet) -> RuleSet:
    """Store a new version; when it takes effect, everyone it governs is re-classified by a stored job."""
    if body.scope != scope:
        raise Invalid("scope", "规则集的适用范围须与地址中的一致")
    if Role.PLATFORM_ADMIN not in principal.roles and not (len(scope) == 6 and principal.covers_division(scope)):
        raise NotFound("rule set scope")
    newest = await db[COLLECTION].find_one({"scope": scope}, sort=[("version", DESCENDING)])
    if newest is not None and body.version <= newest["version"]:
        raise Conflict("规则集版本须大于当前最新版本", latest_version=newest["version"])
    try:
        await db[COLLECTION].insert_one(_document(body))
    except DuplicateKeyError:
        raise Conflict("该规则集版本已存在", latest_version=body.version) from None
    due = datetime.combine(body.effective_from, time.min, tzinfo=LOCAL_TZ)
    await jobs.schedule(
        db,
        job_id=f"reclassify:rule-set:{body.id}:{body.version}",
        kind=RECLASSIFY,
        clock=clock,
        due_at=max(due, clock.now()),
        payload={"query": {"scope": scope}, "cause": "rule_set"},
    )
    return body
