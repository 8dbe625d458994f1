"""Check-ins recorded by workers, and reading them back within the caller's jurisdiction."""

from __future__ import annotations

import asyncio
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import creation_id, fingerprint
from gridline.mongo import Database
from gridline.pii import Protector

from monitoring.checkins import recording
from monitoring.checkins.models import CheckinCreate, CheckinDetail, CheckinRead, SelfCheckinCreate
from monitoring.checkins.store import COLLECTION, HIDDEN, result_read, to_read
from monitoring.plans import service as plans
from monitoring.rules import service as rules
from monitoring.settings import MonitoringSettings

NOTE_CONTEXT = "checkin.note"


async def record_by_worker(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    settings: MonitoringSettings,
    principal: Principal,
    plan_id: str,
    body: CheckinCreate,
    idempotency_key: str | None,
) -> dict[str, Any]:
    submission = submission_of(
        body,
        # The plan is part of the key: the same key sent for two people is two check-ins, not one replayed.
        checkin_id=creation_id(principal=principal, operation=f"recordCheckin:{plan_id}", key=idempotency_key),
        keyed=idempotency_key is not None,
        actor=principal.subject,
        protector=protector,
    )
    # For a keyed correction, both reads in flight together (two commands, one wait): whether it was stored
    # before, and the plan; any other request reads only the plan. When the plan is refused, the other
    # read's answer is dropped unread.
    stored = asyncio.ensure_future(recording.stored_before(db, submission))
    try:
        plan = await plans.get(db=db, principal=principal, plan_id=plan_id)
    except BaseException:
        stored.add_done_callback(_dropped)
        raise
    earlier = await stored
    found = await rules.for_community(
        db=db, community_code=plan["community_code"], cache_seconds=settings.rules_cache_seconds
    )
    return await recording.record(db=db, clock=clock, rules=found, plan=plan, submission=submission, earlier=earlier)


def _dropped(read: asyncio.Future[Any]) -> None:
    if not read.cancelled():
        read.exception()  # retrieved, so a failed read nobody waits for is not reported as unhandled


def submission_of(
    body: SelfCheckinCreate, *, checkin_id: str, keyed: bool, actor: str, protector: Protector
) -> recording.Submission:
    worker = body if isinstance(body, CheckinCreate) else None
    return recording.Submission(
        checkin_id=checkin_id,
        fingerprint=fingerprint(body) if keyed else None,
        actor=actor,
        method=worker.method.value if worker else "self_report",
        temperature_c=body.temperature_c,
        symptoms=[s.value for s in body.symptoms],
        note=protector.seal(body.note, context=NOTE_CONTEXT) if body.note else None,
        health_code=body.health_code.value if body.health_code else None,
        nat_result=worker.nat_result.value if worker and worker.nat_result else None,
        corrects=worker.corrects if worker else None,
    )


async def list_page(
    *, db: Database, principal: Principal, filters: dict[str, Any], page: PageParams
) -> Page[CheckinRead]:
    query = {**principal.scope_filter(), **{k: v for k, v in filters.items() if v is not None}}
    return await paginate(db[COLLECTION], query, page, to_read, projection=HIDDEN)


async def get(*, db: Database, protector: Protector, principal: Principal, slot_id: str) -> CheckinDetail:
    doc = await db[COLLECTION].find_one({"_id": slot_id}, HIDDEN)
    if doc is None or not principal.covers(doc["scope"]):
        raise NotFound("check-in")
    current = doc.get("current") or {}
    note = protector.open(current["note"], context=NOTE_CONTEXT) if current.get("note") else None
    return CheckinDetail(
        **to_read(doc).model_dump(),
        note=note,
        history=[result_read(r) for r in doc.get("history", [])],
    )
