"""Storing monitoring rules per province and county, and finding the ones that govern a community."""

from __future__ import annotations

import time
from typing import Any

from gridline.auth import Principal, Role
from gridline.errors import Conflict, Invalid, NotFound
from gridline.mongo import Database, DuplicateKeyError, update_guarded

from monitoring.rules.models import MonitoringRules
from monitoring.rules.seed import PROVINCE_DEFAULT
from monitoring.upserts import upsert_by_id

COLLECTION = "monitoring_rules"

# Rules are read on every check-in; they change rarely, so each process keeps them briefly.
_cache: dict[tuple[str, str], tuple[float, MonitoringRules]] = {}


async def ensure_seeded(*, db: Database) -> None:
    """Store the seed rules once; later versions come through the API and are never overwritten."""
    doc = {"_id": PROVINCE_DEFAULT.scope, **PROVINCE_DEFAULT.model_dump(mode="json")}
    await upsert_by_id(db[COLLECTION], doc["_id"], {"$setOnInsert": doc})


async def for_community(*, db: Database, community_code: str, cache_seconds: float) -> MonitoringRules:
    """The county's rules if it has its own, else its province's, else the built-in seed."""
    key = (db.name, community_code[:6])
    cached = _cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = {d["_id"]: d async for d in db[COLLECTION].find({"_id": {"$in": [community_code[:6], community_code[:2]]}})}
    doc = found.get(community_code[:6]) or found.get(community_code[:2])
    rules = _from_document(doc) if doc else PROVINCE_DEFAULT
    if cache_seconds > 0:
        _cache[key] = (time.monotonic() + cache_seconds, rules)
    return rules


async def get(*, db: Database, scope: str) -> MonitoringRules:
    doc = await db[COLLECTION].find_one({"_id": scope})
    if doc is None:
        if len(scope) == 6:
            province = await db[COLLECTION].find_one({"_id": scope[:2]})
            return _from_document(province) if province else PROVINCE_DEFAULT
        raise NotFound("monitoring rules")
    return _from_document(doc)


async def put(*, db: Database, principal: Principal, scope: str, body: MonitoringRules) -> MonitoringRules:
    """Store a newer version for a county (its officers) or a province (platform admins)."""
    if body.scope != scope:
        raise Invalid("scope", "规则的适用范围须与地址中的一致")
    if Role.PLATFORM_ADMIN not in principal.roles and not (len(scope) == 6 and principal.covers_division(scope)):
        raise NotFound("monitoring rules scope")
    current = await db[COLLECTION].find_one({"_id": scope}, {"version": 1})
    document = {"_id": scope, **body.model_dump(mode="json")}
    if current is None:
        try:
            await db[COLLECTION].insert_one(document)
        except DuplicateKeyError:
            raise Conflict("规则已被他人修改，请刷新后重试") from None
    elif body.version <= current["version"]:
        raise Conflict("规则版本须大于当前版本", current_version=current["version"])
    elif not await update_guarded(db[COLLECTION], scope, {"version": current["version"]}, {"$set": document}):
        raise Conflict("规则已被他人修改，请刷新后重试")
    for key in [k for k in _cache if k[0] == db.name and k[1].startswith(scope)]:
        del _cache[key]
    return body


def _from_document(doc: dict[str, Any]) -> MonitoringRules:
    return MonitoringRules.model_validate({k: v for k, v in doc.items() if k != "_id"})
