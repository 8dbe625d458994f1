"""Overrides and shift swaps: the changes to a roster, each one document whose writes carry their events.

A swap is requested by whoever holds the shift, accepted by the counterpart and approved by the community;
only then is it in force. An override is in force when made. Every change schedules a gap scan, so a hole
it leaves is reported at once rather than at the next daily scan.
"""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.mongo import Database, update_guarded
from gridline.outbox import make_event, new_document, with_events

from duty import rights
from duty.access import require_covers, scoped_indexes, scoped_query
from duty.rosters import events, gaps, rotations
from duty.rosters.models import Leg, Member, OverrideCreate, RosterChangeRead, SwapCreate, SwapDecision, SwapStatus
from duty.rosters.timeline import Change, Rotation, assignment_at

COLLECTION = rotations.CHANGES
INDEXES = scoped_indexes(COLLECTION)
SOURCE = "/gridline/duty"


async def create_override(
    *, db: Database, clock: Clock, principal: Principal, body: OverrideCreate, change_id: str, key: str | None
) -> dict[str, Any]:
    scope = require_covers(principal, body.community_code, body.grid_id, what="community")
    if body.grid_id is not None:
        await rotations.require_grid(db=db, community_code=body.community_code, grid_id=body.grid_id)
    leg = Leg(
        shift_id=None, starts_at=body.starts_at, ends_at=body.ends_at, role=body.role, giver=None, taker=body.member
    )
    document = _document(
        change_id, "override", body.community_code, body.grid_id, scope, [leg], body.reason, principal, clock
    )
    document.update(status="in_force", in_force=True)
    changed = await _shift_changes(db=db, clock=clock, change=document)
    stored = await insert_once(
        db[COLLECTION], new_document(stamp(document, key=key, body=body), changed, clock=clock), body=body
    )
    await gaps.schedule_scan(db=db, clock=clock, community_code=body.community_code, reason=change_id)
    return stored


async def request_swap(
    *, db: Database, clock: Clock, principal: Principal, body: SwapCreate, change_id: str, key: str | None
) -> dict[str, Any]:
    """Ask to hand a shift's role to a counterpart (and take theirs in exchange, when named)."""
    mine = await _shift_holder(db=db, shift_id=body.shift_id, role=body.role.value, principal=principal)
    legs = [Leg(**mine["leg"], role=body.role, giver=mine["holder"], taker=body.counterpart)]
    if body.counterpart_shift_id is not None:
        theirs = await _shift_holder(
            db=db,
            shift_id=body.counterpart_shift_id,
            role=body.role.value,
            principal=principal,
            holder=body.counterpart,
        )
        if theirs["community_code"] != mine["community_code"] or theirs["grid_id"] != mine["grid_id"]:
            raise Invalid("counterpart_shift_id", "只能与同一排班表的班次互换")
        legs.append(Leg(**theirs["leg"], role=body.role, giver=body.counterpart, taker=mine["holder"]))
    if mine["holder"].subject == body.counterpart.subject:
        raise Invalid("counterpart", "不能与自己换班")
    document = _document(
        change_id, "swap", mine["community_code"], mine["grid_id"], mine["scope"], legs, body.reason, principal, clock
    )
    document.update(status=SwapStatus.REQUESTED.value, in_force=False)
    return await insert_once(db[COLLECTION], stamp(document, key=key, body=body), body=body)


async def accept_swap(
    *, db: Database, clock: Clock, principal: Principal, change_id: str, body: SwapDecision
) -> dict[str, Any]:
    swap = await _get_swap(db=db, principal=principal, change_id=change_id, version=body.version)
    if principal.subject != swap["legs"][0]["taker"]["subject"]:
        raise NotFound("swap")  # only the counterpart accepts
    return await _move(db=db, clock=clock, swap=swap, to=SwapStatus.ACCEPTED, by=principal.subject, note=body.note)


async def approve_swap(
    *, db: Database, clock: Clock, principal: Principal, change_id: str, body: SwapDecision
) -> dict[str, Any]:
    swap = await _get_swap(db=db, principal=principal, change_id=change_id, version=body.version)
    approved = await _move(db=db, clock=clock, swap=swap, to=SwapStatus.APPROVED, by=principal.subject, note=body.note)
    await gaps.schedule_scan(db=db, clock=clock, community_code=swap["community_code"], reason=change_id)
    return approved


async def reject_swap(
    *, db: Database, clock: Clock, principal: Principal, change_id: str, body: SwapDecision
) -> dict[str, Any]:
    """Declined by the counterpart, or turned down by whoever approves swaps."""
    swap = await _get_swap(db=db, principal=principal, change_id=change_id, version=body.version)
    if principal.subject != swap["legs"][0]["taker"]["subject"] and not principal.has_any(rights.APPROVE_SWAP):
        raise NotFound("swap")
    return await _move(db=db, clock=clock, swap=swap, to=SwapStatus.REJECTED, by=principal.subject, note=body.note)


_ALLOWED = {
    SwapStatus.ACCEPTED: {SwapStatus.REQUESTED},
    SwapStatus.APPROVED: {SwapStatus.ACCEPTED},
    SwapStatus.REJECTED: {SwapStatus.REQUESTED, SwapStatus.ACCEPTED},
}


async def _move(
    *, db: Database, clock: Clock, swap: dict[str, Any], to: SwapStatus, by: str, note: str
) -> dict[str, Any]:
    """One state step, guarded by the status and version read; an approval carries its shift events."""
    if SwapStatus(swap["status"]) not in _ALLOWED[to]:
        raise Conflict(f"换班申请当前状态为 {swap['status']}，不能变为 {to.value}", current_status=swap["status"])
    changes: dict[str, Any] = {"status": to.value, f"{to.value}_by": by, f"{to.value}_at": clock.now(), "note": note}
    if to is SwapStatus.APPROVED:
        changes["in_force"] = True
    after = {**swap, **changes, "version": swap["version"] + 1}
    changed = await _shift_changes(db=db, clock=clock, change=after) if to is SwapStatus.APPROVED else []
    guard = {"version": swap["version"], "status": swap["status"]}
    update = with_events({"$set": changes, "$inc": {"version": 1}}, changed, clock=clock)
    if not await update_guarded(db[COLLECTION], swap["_id"], guard, update):
        raise Conflict("换班申请已被他人处理，请刷新后重试")
    return after


async def _get_swap(*, db: Database, principal: Principal, change_id: str, version: int | None) -> dict[str, Any]:
    swap = await db[COLLECTION].find_one({"_id": change_id, "kind": "swap", **principal.scope_filter()})
    if swap is None:
        raise NotFound("swap")
    if version is not None and version != swap["version"]:
        raise Conflict("换班申请已被他人处理，请刷新后重试", current_version=swap["version"])
    return swap


async def _shift_holder(
    *, db: Database, shift_id: str, role: str, principal: Principal, holder: Member | None = None
) -> dict[str, Any]:
    """The shift and who holds `role` on it now (after earlier swaps and overrides); 404/422 when it is not so."""
    rotation_id, _, number = shift_id.rpartition(":")
    rotation = await db[rotations.COLLECTION].find_one({"_id": rotation_id, **principal.scope_filter()})
    known = rotation is not None and number.isdigit() and len(number) <= 6  # a roster of 2,700 years at most
    shift = Rotation.from_document(rotation).shift(int(number)) if rotation and known else None
    if rotation is None or shift is None:
        raise NotFound("shift")
    found, changes = await rotations.load(
        db=db, community_code=rotation["community_code"], start=shift.starts_at, end=shift.ends_at
    )
    current = assignment_at(found, changes, rotation.get("grid_id"), shift.starts_at)
    held_by = current.holders[next(r for r in current.holders if r.value == role)]
    expected = holder.subject if holder is not None else principal.subject
    if held_by is None or held_by.subject != expected:
        raise Invalid("shift_id", "该班次此岗位不由此人值守")
    return {
        "community_code": rotation["community_code"],
        "grid_id": rotation.get("grid_id"),
        "scope": rotation["scope"],
        "holder": held_by,
        "leg": {"shift_id": shift.shift_id, "starts_at": shift.starts_at, "ends_at": shift.ends_at},
    }


async def _shift_changes(*, db: Database, clock: Clock, change: dict[str, Any]) -> list[Any]:
    """One `shift.changed` per leg: who holds both roles once the change is in force (user ids only)."""
    found, in_force = await rotations.load(
        db=db,
        community_code=change["community_code"],
        start=min(leg["starts_at"] for leg in change["legs"]),
        end=max(leg["ends_at"] for leg in change["legs"]),
    )
    with_change = [*in_force, Change.from_document(change)]
    published = []
    for number, leg in enumerate(change["legs"]):
        holders = assignment_at(found, with_change, change["grid_id"], leg["starts_at"]).holders
        data = events.ShiftChanged(
            community_code=change["community_code"],
            shift_id=leg["shift_id"] or f"override:{change['_id']}",
            starts_at=leg["starts_at"],
            ends_at=leg["ends_at"],
            duty_officer=_subject(holders, "duty_officer"),
            leader=_subject(holders, "leader"),
            at=clock.now(),
            grid_id=change["grid_id"],
            change_id=change["_id"],
            change_kind=change["kind"],
        )
        event_id = f"{change['_id']}:{number}:shift-changed"
        published.append(
            make_event(
                events.SHIFT_CHANGED,
                source=SOURCE,
                key=change["community_code"],
                data=data,
                clock=clock,
                event_id=event_id,
            )
        )
    return published


def _subject(holders: dict[Any, Member | None], role: str) -> str | None:
    member = next((m for r, m in holders.items() if r.value == role), None)
    return member.subject if member else None


def _document(
    change_id: str,
    kind: str,
    community_code: str,
    grid_id: str | None,
    scope: list[str],
    legs: list[Leg],
    reason: str,
    principal: Principal,
    clock: Clock,
) -> dict[str, Any]:
    return {
        "_id": change_id,
        "kind": kind,
        "community_code": community_code,
        "grid_id": grid_id,
        "scope": scope,
        "legs": [leg.model_dump() for leg in legs],
        "starts_at": min(leg.starts_at for leg in legs),
        "ends_at": max(leg.ends_at for leg in legs),
        "reason": reason,
        "requested_by": principal.subject,
        "version": 1,
        "created_at": clock.now(),
    }


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, page: PageParams
) -> Page[RosterChangeRead]:
    return await paginate(db[COLLECTION], scoped_query(principal, community_code), page, to_read)


def to_read(doc: dict[str, Any]) -> RosterChangeRead:
    return RosterChangeRead(
        id=doc["_id"],
        kind=doc["kind"],
        community_code=doc["community_code"],
        grid_id=doc.get("grid_id"),
        status=doc["status"],
        in_force=doc["in_force"],
        starts_at=doc["starts_at"],
        ends_at=doc["ends_at"],
        legs=[Leg(**leg) for leg in doc["legs"]],
        reason=doc.get("reason", ""),
        requested_by=doc["requested_by"],
        version=doc["version"],
    )
