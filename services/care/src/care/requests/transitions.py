"""A request's way: assigned → acknowledged → in progress → fulfilled (partly or completely), or cancelled.

Each step is one write guarded by the version read, carrying its event and a history entry. Repeating a
step that already happened (a phone retrying on a bad network) returns the request as it is. A helper's
load follows in separate, repeat-safe writes (see `helpers.load`); a crash between the two is made good by
the request's own events (see `helpers.handlers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid
from gridline.events import Event
from gridline.mongo import Database, update_guarded
from gridline.outbox import with_events

from care.helpers import load
from care.helpers.service import COLLECTION as HELPERS
from care.requests import events, service
from care.requests.documents import COLLECTION, assignee, event, history
from care.requests.models import AssignBody, CancelBody, FulfilBody, StepBody
from care.vocabulary import Status

S = Status
STALE = "该求助已被他人更新，请刷新后重试"


@dataclass(frozen=True)
class Step:
    action: str
    target: Status
    allowed_from: frozenset[Status]


ASSIGN = Step("assign", S.ASSIGNED, frozenset({S.OPEN, S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS}))
ACKNOWLEDGE = Step("acknowledge", S.ACKNOWLEDGED, frozenset({S.ASSIGNED}))
START = Step("start", S.IN_PROGRESS, frozenset({S.ACKNOWLEDGED}))
FULFIL = Step("fulfil", S.FULFILLED, frozenset({S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS}))
CANCEL = Step("cancel", S.CANCELLED, frozenset({S.OPEN, S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS}))


async def assign(
    *, db: Database, clock: Clock, principal: Principal, request_id: str, body: AssignBody
) -> dict[str, Any]:
    """Give the request to a helper serving its community (a worker's choice, often a suggestion)."""
    before = await service.get(db=db, principal=principal, request_id=request_id)
    previous = (before.get("assignee") or {}).get("helper_id")
    if previous == body.helper_id and before["status"] != S.OPEN:
        return before
    helper = await db[HELPERS].find_one({"_id": body.helper_id})
    if helper is None or not helper["active"] or before["community_code"] not in helper["communities"]:
        raise Invalid("helper_id", "该志愿者不存在、已停用或不服务此求助所在社区")
    data = events.RequestAssigned(
        request_id=request_id,
        community_code=before["community_code"],
        helper_id=helper["_id"],
        at=clock.now(),
        previous_helper_id=previous,
    )
    after = await _commit(
        db, clock, before, ASSIGN, principal, data, fields={"assignee": assignee(helper)}, note=body.note
    )
    await load.take(db=db, helper_id=helper["_id"], request_id=request_id, at=clock.now())
    if previous:
        await load.release(db=db, helper_id=previous, request_id=request_id)
    return after


async def acknowledge(
    *, db: Database, clock: Clock, principal: Principal, request_id: str, body: StepBody
) -> dict[str, Any]:
    before = await service.get(db=db, principal=principal, request_id=request_id)
    if before["status"] == S.ACKNOWLEDGED:
        return before
    data = events.RequestAcknowledged(
        request_id=request_id, community_code=before["community_code"], helper_id=_helper_of(before), at=clock.now()
    )
    return await _commit(db, clock, before, ACKNOWLEDGE, principal, data, note=body.note)


async def start(*, db: Database, clock: Clock, principal: Principal, request_id: str, body: StepBody) -> dict[str, Any]:
    before = await service.get(db=db, principal=principal, request_id=request_id)
    if before["status"] == S.IN_PROGRESS:
        return before
    data = events.RequestStarted(
        request_id=request_id, community_code=before["community_code"], helper_id=_helper_of(before), at=clock.now()
    )
    return await _commit(db, clock, before, START, principal, data, note=body.note)


async def fulfil(
    *, db: Database, clock: Clock, principal: Principal, request_id: str, body: FulfilBody
) -> dict[str, Any]:
    before = await service.get(db=db, principal=principal, request_id=request_id)
    if before["status"] == S.FULFILLED:
        return before
    data = events.RequestFulfilled(
        request_id=request_id,
        community_code=before["community_code"],
        completeness=body.completeness.value,
        at=clock.now(),
        helper_id=_helper_of(before),
    )
    fields = {"completeness": body.completeness.value}
    after = await _commit(db, clock, before, FULFIL, principal, data, fields=fields, note=body.note)
    await load.release(db=db, helper_id=_helper_of(before), request_id=request_id)
    return after


async def cancel(
    *, db: Database, clock: Clock, principal: Principal, request_id: str, body: CancelBody
) -> dict[str, Any]:
    before = await service.get(db=db, principal=principal, request_id=request_id)
    if before["status"] == S.CANCELLED:
        return before
    helper_id = (before.get("assignee") or {}).get("helper_id")
    data = events.RequestCancelled(
        request_id=request_id,
        community_code=before["community_code"],
        reason=body.reason,
        at=clock.now(),
        helper_id=helper_id,
    )
    after = await _commit(db, clock, before, CANCEL, principal, data, note=body.reason)
    if helper_id:
        await load.release(db=db, helper_id=helper_id, request_id=request_id)
    return after


def _helper_of(request: dict[str, Any]) -> str:
    helper = request.get("assignee")
    if not helper:
        raise Conflict("该求助尚未分派志愿者", current_status=request["status"])
    helper_id: str = helper["helper_id"]
    return helper_id


_SPECS = {
    "assign": events.ASSIGNED,
    "acknowledge": events.ACKNOWLEDGED,
    "start": events.STARTED,
    "fulfil": events.FULFILLED,
    "cancel": events.CANCELLED,
}


async def _commit(
    db: Database,
    clock: Clock,
    before: dict[str, Any],
    step: Step,
    principal: Principal,
    data: Any,
    *,
    fields: dict[str, Any] | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Write one step over `before` if nobody changed the request meanwhile, with its event."""
    if before["status"] not in step.allowed_from:
        raise Conflict(f"状态为 {before['status']} 的求助不能执行 {step.action}", current_status=before["status"])
    now = clock.now()
    helper_id = getattr(data, "helper_id", None)
    entry = history(now, principal.subject, step.action, step.target, helper_id=helper_id, note=note)
    changes = {**(fields or {}), "status": step.target.value, "updated_at": now}
    outgoing: list[Event] = [event(_SPECS[step.action], before, data, clock=clock)]
    update = {"$set": changes, "$push": {"history": entry}, "$inc": {"version": 1}}
    if not await update_guarded(
        db[COLLECTION], before["_id"], {"version": before["version"]}, with_events(update, outgoing, clock=clock)
    ):
        raise Conflict(STALE)
    return {**before, **changes, "history": [*before["history"], entry], "version": before["version"] + 1}
