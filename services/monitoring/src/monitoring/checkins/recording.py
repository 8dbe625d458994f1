"""Recording a check-in: the next free slot of today, a late result on a missed slot, or a correction.

Each is one write of the slot's document carrying `checkin.recorded` and any `alert.raised` it causes, so
an abnormal result can never be stored without its alert. A new slot is an insert (its id is the slot, so
a slot is never filled twice); an existing slot changes by a version-guarded update.

A retried request (same Idempotency-Key) is found without reading ahead: a result that is its slot's first
carries its check-in id as the slot's unique `first_checkin_id`, so a retry collides with the slot holding
it, on whatever day it comes, and is answered from there. Only corrections, which are never a slot's first
result, are looked up before writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gridline.clock import Clock, local_today
from gridline.errors import Conflict, Invalid, NotFound
from gridline.events import Event
from gridline.idempotency import KEY_REUSED
from gridline.mongo import Database, DuplicateKeyError, update_guarded
from gridline.outbox import make_event, new_document, with_events

from monitoring.alerts import raising
from monitoring.checkins import events
from monitoring.checkins.store import COLLECTION, base_document
from monitoring.days import iso, local_day
from monitoring.rules.evaluation import CheckinFacts, Finding, checkin_findings
from monitoring.rules.models import MonitoringRules

SOURCE = "/gridline/monitoring"
ATTEMPTS = 5


@dataclass(frozen=True)
class Submission:
    checkin_id: str
    fingerprint: str | None  # set when the caller sent an Idempotency-Key
    actor: str
    method: str
    temperature_c: float | None
    symptoms: list[str]
    note: dict[str, Any] | None  # sealed
    health_code: str | None
    nat_result: str | None
    corrects: str | None = None


async def stored_before(db: Database, submission: Submission) -> dict[str, Any] | None:
    """The slot a keyed correction was already stored in (a retry), else None; nothing else reads ahead.

    A correction goes into its slot's history, never its `first_checkin_id`, so its retry would not collide:
    it is looked up by its check-in id. Callers send this read together with the plan's read.
    """
    if submission.fingerprint is None or submission.corrects is None:
        return None
    return await _holding(db, submission.checkin_id)


async def _holding(db: Database, checkin_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await db[COLLECTION].find_one({"checkin_ids": checkin_id})
    return found


async def _stored_elsewhere(db: Database, sub: Submission) -> dict[str, Any] | None:
    """The slot a keyed first result was stored in on another day or slot (its retry collided), else None."""
    if sub.fingerprint is None:
        return None
    found = await _holding(db, sub.checkin_id)
    return _replayed(found, sub) if found is not None else None


async def record(
    *,
    db: Database,
    clock: Clock,
    rules: MonitoringRules,
    plan: dict[str, Any],
    submission: Submission,
    earlier: dict[str, Any] | None,
) -> dict[str, Any]:
    """Store the result and its events; returns the slot document as written (or as first written, on a retry).

    `earlier` is what `stored_before` found for this submission."""
    if earlier is not None:
        return _replayed(earlier, submission)
    day = _today_within(plan, clock)
    findings = checkin_findings(rules, _facts(submission))
    if submission.corrects:
        return await _correct(db, clock, plan, submission, findings)
    for slot in range(1, plan["checkins_per_day"] + 1):
        written = await _fill(db, clock, plan, day, slot, submission, findings)
        if written is not None:
            return written
    elsewhere = await _stored_elsewhere(db, submission)  # a retry of a result from a day with a free slot
    if elsewhere is not None:
        return elsewhere
    raise Conflict("今日打卡已全部完成，如需更正请指明要更正的记录", slots=plan["checkins_per_day"])


async def _fill(
    db: Database, clock: Clock, plan: dict[str, Any], day: str, slot: int, sub: Submission, findings: list[Finding]
) -> dict[str, Any] | None:
    """Write the result into `slot` if it is free (or missed); None when a result is already there."""
    for _ in range(ATTEMPTS):
        doc = {**base_document(plan, day, slot), "state": "recorded"}
        result, outgoing = _result_and_events(plan, doc, sub, findings, late=False, clock=clock)
        doc.update(
            current=result, history=[], checkin_ids=[sub.checkin_id], first_checkin_id=sub.checkin_id, has_result=True
        )
        try:
            await db[COLLECTION].insert_one(new_document(doc, outgoing, clock=clock))
            return doc
        except DuplicateKeyError:
            existing = await db[COLLECTION].find_one({"_id": doc["_id"]})
        if existing is None:  # the slot is free, so the check-in id collided: a retry stored on another day
            elsewhere = await _stored_elsewhere(db, sub)
            if elsewhere is not None:
                return elsewhere
            continue
        if sub.checkin_id in existing.get("checkin_ids", []):
            return _replayed(existing, sub)
        if existing.get("current") is not None:
            return None
        late = await _late(db, clock, plan, existing, sub, findings)
        if late is not None:
            return late
    raise Conflict("该时段的打卡正在被同时修改，请重试")


async def _late(
    db: Database, clock: Clock, plan: dict[str, Any], slot: dict[str, Any], sub: Submission, findings: list[Finding]
) -> dict[str, Any] | None:
    """A result arriving after the cut-off marked the slot missed: stored, flagged late, the miss stands.

    It is the slot's first result, so it takes the slot's `first_checkin_id`; None when the slot changed."""
    result, outgoing = _result_and_events(plan, slot, sub, findings, late=True, clock=clock)
    update: dict[str, Any] = {
        "$set": {"current": result, "has_result": True, "first_checkin_id": sub.checkin_id},
        "$push": {"checkin_ids": sub.checkin_id},
        "$inc": {"version": 1},
    }
    try:
        written = await update_guarded(
            db[COLLECTION], slot["_id"], {"version": slot["version"]}, with_events(update, outgoing, clock=clock)
        )
    except DuplicateKeyError:  # the check-in id is another slot's first result: a retry from another day
        return await _stored_elsewhere(db, sub)
    if written:
        return {
            **slot,
            "current": result,
            "has_result": True,
            "checkin_ids": [*slot.get("checkin_ids", []), sub.checkin_id],
            "first_checkin_id": sub.checkin_id,
        }
    return None


async def _correct(
    db: Database, clock: Clock, plan: dict[str, Any], sub: Submission, findings: list[Finding]
) -> dict[str, Any]:
    """Replace a result, keeping the replaced one as history; only the current result can be corrected."""
    for _ in range(ATTEMPTS):
        slot = await db[COLLECTION].find_one({"checkin_ids": sub.corrects, "plan_id": plan["_id"]})
        if slot is None:
            raise NotFound("check-in")
        current = slot.get("current") or {}
        if current.get("checkin_id") != sub.corrects:
            raise Conflict("该记录已被更正，请更正最新的记录", current_checkin_id=current.get("checkin_id"))
        result, outgoing = _result_and_events(plan, slot, sub, findings, late=current.get("late", False), clock=clock)
        update: dict[str, Any] = {
            "$set": {"current": result},
            "$push": {"history": current, "checkin_ids": sub.checkin_id},
            "$inc": {"version": 1},
        }
        if await update_guarded(
            db[COLLECTION], slot["_id"], {"version": slot["version"]}, with_events(update, outgoing, clock=clock)
        ):
            history = [*slot.get("history", []), current]
            return {
                **slot,
                "current": result,
                "history": history,
                "checkin_ids": [*slot["checkin_ids"], sub.checkin_id],
            }
    raise Conflict("该时段的打卡正在被同时修改，请重试")


def _result_and_events(
    plan: dict[str, Any], slot: dict[str, Any], sub: Submission, findings: list[Finding], *, late: bool, clock: Clock
) -> tuple[dict[str, Any], list[Event]]:
    """The result as stored in the slot, and the events its write carries: the check-in and its alerts."""
    cause = raising.Cause(
        key=sub.checkin_id,
        community_code=slot["community_code"],
        grid_id=slot["grid_id"],
        person_id=slot["person_id"],
        plan_id=plan["_id"],
        checkin_id=sub.checkin_id,
    )
    alerts = raising.raised_events(findings, cause, at=clock.now(), clock=clock)
    refs = [{"alert_id": a.data["alert_id"], "kind": a.data["kind"], "severity": a.data["severity"]} for a in alerts]
    result = {
        "checkin_id": sub.checkin_id,
        "method": sub.method,
        "temperature_c": sub.temperature_c,
        "symptoms": sub.symptoms,
        "note": sub.note,
        "health_code": sub.health_code,
        "nat_result": sub.nat_result,
        "abnormal": bool(findings),
        "alerts": refs,
        "late": late,
        "corrects": sub.corrects,
        "recorded_at": clock.now(),
        "recorded_by": sub.actor,
        "fingerprint": sub.fingerprint,
    }
    return result, [_recorded_event(plan, slot, result, clock), *alerts]


def _recorded_event(plan: dict[str, Any], slot: dict[str, Any], result: dict[str, Any], clock: Clock) -> Event:
    recorded = events.CheckinRecorded(
        plan_id=plan["_id"],
        person_id=slot["person_id"],
        community_code=slot["community_code"],
        grid_id=slot["grid_id"],
        day=date.fromisoformat(slot["day"]),
        slot=slot["slot"],
        **{k: result[k] for k in _PUBLISHED},
    )
    return make_event(events.RECORDED, source=SOURCE, key=plan["_id"], data=recorded, clock=clock)


# What of a result goes on Kafka: no symptoms list, no note, no caller; the reading and whether it is abnormal.
_PUBLISHED = (
    "checkin_id",
    "method",
    "temperature_c",
    "health_code",
    "nat_result",
    "abnormal",
    "corrects",
    "recorded_at",
    "late",
)


def _replayed(slot: dict[str, Any], sub: Submission) -> dict[str, Any]:
    """A retry of a request already stored: the same body gets the first result, another body a 409."""
    results = [slot.get("current") or {}, *slot.get("history", [])]
    first: dict[str, Any] = next((r for r in results if r.get("checkin_id") == sub.checkin_id), {})
    if first.get("fingerprint") != sub.fingerprint:
        raise Conflict(KEY_REUSED)
    return slot


def _today_within(plan: dict[str, Any], clock: Clock) -> str:
    if plan["status"] != "active":
        raise Conflict("该监测计划已结束", plan_status=plan["status"])
    today = local_today(clock)
    if iso(today) > plan["ends_on"] or today < local_day(plan["opened_at"]):
        raise Invalid("day", "今天不在该监测计划的日期内")
    return iso(today)


def _facts(sub: Submission) -> CheckinFacts:
    return CheckinFacts(sub.temperature_c, sub.symptoms, sub.health_code, sub.nat_result)
