"""Issuing self check-in links, and checking a resident in through one.

A link names one person and one plan and expires at the earliest of its validity and the plan's last day.
It also stops working as soon as the plan is no longer active, whenever that happens: that is checked
against the plan on every use, not written into the token.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from gridline import qr
from gridline.auth import Principal
from gridline.clock import Clock, local_today
from gridline.errors import Conflict
from gridline.idempotency import creation_id
from gridline.links import LinkClaims, LinkError, LinkSigner
from gridline.mongo import Database, Index
from gridline.pii import Protector

from monitoring.checkins import recording
from monitoring.checkins import service as checkins
from monitoring.checkins.models import SelfCheckinCreate, SelfCheckinRead
from monitoring.checkins.store import COLLECTION as CHECKINS
from monitoring.checkins.store import slot_id
from monitoring.communities import service as communities
from monitoring.days import end_of, parse
from monitoring.plans import service as plans
from monitoring.plans.store import COLLECTION as PLANS
from monitoring.rules import service as rules
from monitoring.selfcheckin.models import LinkIssue, LinkRead, SelfCheckinForm
from monitoring.settings import MonitoringSettings
from monitoring.vocabulary import Symptom

PURPOSE = "self_checkin"
LINKS = "self_checkin_links"  # who issued which link for which plan, never the token itself
INDEXES = [Index(LINKS, (("plan_id", 1), ("_id", 1)))]


async def issue(
    *,
    db: Database,
    clock: Clock,
    links: LinkSigner,
    settings: MonitoringSettings,
    principal: Principal,
    plan_id: str,
    body: LinkIssue,
) -> LinkRead:
    plan = await plans.get(db=db, principal=principal, plan_id=plan_id)
    if plan["status"] != "active":
        raise Conflict("该监测计划已结束，不能再发放自主打卡链接", plan_status=plan["status"])
    days = body.valid_days or settings.self_checkin_link_days
    expires_at = min(clock.now() + timedelta(days=days), end_of(parse(plan["ends_on"])))
    link_id, token = links.issue(
        purpose=PURPOSE, subject=plan["person_id"], scope={"plan_id": plan_id}, expires_at=expires_at
    )
    await db[LINKS].insert_one(
        {
            "_id": link_id,
            "plan_id": plan_id,
            "person_id": plan["person_id"],
            "issued_by": principal.subject,
            "issued_at": clock.now(),
            "expires_at": expires_at,
        }
    )
    url = f"{settings.self_checkin_page_url}?plan={plan_id}&t={token}"
    return LinkRead(
        link_id=link_id,
        plan_id=plan_id,
        url=url,
        token=token,
        expires_at=expires_at,
        qr_svg=qr.svg(url),
        qr_png_base64=base64.b64encode(qr.png(url)).decode(),
    )


async def plan_for_link(
    *, db: Database, links: LinkSigner, token: str | None, plan_id: str
) -> tuple[LinkClaims, dict[str, Any]]:
    """The plan a genuine link may act on: its own, while it is active. LinkError otherwise (401 or 410)."""
    if not token:
        raise LinkError("invalid", "a self check-in link is required")
    claims = links.verify(token, purpose=PURPOSE)
    plan = await db[PLANS].find_one({"_id": plan_id}, {"_outbox": 0})
    if claims.scope.get("plan_id") != plan_id or plan is None or plan["person_id"] != claims.subject:
        raise LinkError("invalid", "this link is for another person")
    if plan["status"] != "active":
        raise LinkError("expired", "monitoring has ended; this link no longer works")
    return claims, plan


async def form(*, db: Database, clock: Clock, plan: dict[str, Any]) -> SelfCheckinForm:
    done = await _slots_done(db, plan, local_today(clock).isoformat())
    return SelfCheckinForm(
        plan_id=plan["_id"],
        measure=plan["measure"],
        ends_on=parse(plan["ends_on"]),
        day=local_today(clock),
        slots_today=plan["checkins_per_day"],
        slots_done=done,
        symptoms=list(Symptom),
        call=await communities.call_for(db=db, community_code=plan["community_code"], grid_id=plan["grid_id"]),
    )


async def check_in(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    settings: MonitoringSettings,
    claims: LinkClaims,
    plan: dict[str, Any],
    body: SelfCheckinCreate,
    idempotency_key: str | None,
) -> SelfCheckinRead:
    """Record the resident's own check-in; the answer says whom to call."""
    resident = Principal(subject=f"link:{claims.link_id}", roles=frozenset(), jurisdiction="", claims={})
    checkin_id = creation_id(principal=resident, operation="selfCheckin", key=idempotency_key)
    submission = checkins.submission_of(
        body, checkin_id=checkin_id, keyed=idempotency_key is not None, actor=resident.subject, protector=protector
    )
    found = await rules.for_community(
        db=db, community_code=plan["community_code"], cache_seconds=settings.rules_cache_seconds
    )
    earlier = await recording.stored_before(db, submission)
    slot = await recording.record(db=db, clock=clock, rules=found, plan=plan, submission=submission, earlier=earlier)
    return SelfCheckinRead(
        day=parse(slot["day"]),
        slot=slot["slot"],
        recorded_at=slot["current"]["recorded_at"],
        slots_today=plan["checkins_per_day"],
        slots_done=await _slots_done(db, plan, slot["day"]),
        message="打卡成功。如有发热、咳嗽等不适，请立即联系网格员或社区值班电话。",
        call=await communities.call_for(db=db, community_code=plan["community_code"], grid_id=plan["grid_id"]),
    )


async def _slots_done(db: Database, plan: dict[str, Any], day: str) -> int:
    ids = [slot_id(plan["_id"], day, s) for s in range(1, plan["checkins_per_day"] + 1)]
    return await db[CHECKINS].count_documents({"_id": {"$in": ids}, "has_result": True})
