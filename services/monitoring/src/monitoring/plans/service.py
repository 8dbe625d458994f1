"""Reading plans, confined to the caller's jurisdiction."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.errors import NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database

from monitoring.plans.models import PlanRead
from monitoring.plans.store import COLLECTION

_HIDDEN = {"_outbox": 0, "_outbox_at": 0}


async def get(*, db: Database, principal: Principal, plan_id: str) -> dict[str, Any]:
    # By id alone, then the jurisdiction: a primary-key lookup on every server, and the same 404 either way.
    plan = await db[COLLECTION].find_one({"_id": plan_id}, _HIDDEN)
    if plan is None or not principal.covers(plan["scope"]):
        raise NotFound("plan")
    return plan


async def list_page(*, db: Database, principal: Principal, filters: dict[str, Any], page: PageParams) -> Page[PlanRead]:
    query = {**principal.scope_filter(), **{k: v for k, v in filters.items() if v is not None}}
    return await paginate(db[COLLECTION], query, page, to_read, projection=_HIDDEN)


def to_read(doc: dict[str, Any]) -> PlanRead:
    streak = doc.get("missed_streak") or {}
    return PlanRead.model_validate(
        {
            **doc,
            "id": doc["_id"],
            "consecutive_missed_days": streak.get("count", 0) if streak.get("last_day") else 0,
        }
    )
