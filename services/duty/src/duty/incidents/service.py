"""The steps of an incident after it opened: acknowledged, resolved, plans activated, tasks done.

Each step is one write guarded by the status and version read, carrying its event. A step that lost a race
with a timer (an escalation landing between our read and our write) reads again and retries, because the
person acknowledging did so regardless of the level the incident had reached.
"""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, update_guarded
from gridline.outbox import with_events

from duty.access import scoped_query
from duty.incidents import events, routing
from duty.incidents.models import IncidentRead, IncidentStatus
from duty.incidents.store import COLLECTION, step_event, to_read
from duty.plans import service as plans
from duty.plans.activation import tasks_of

ATTEMPTS = 3


async def get(*, db: Database, principal: Principal, incident_id: str) -> dict[str, Any]:
    incident = await db[COLLECTION].find_one({"_id": incident_id, **principal.scope_filter()})
    if incident is None:
        raise NotFound("incident")
    return incident


async def list_page(
    *, db: Database, principal: Principal, community_code: str | None, status: IncidentStatus | None, page: PageParams
) -> Page[IncidentRead]:
    query: dict[str, Any] = scoped_query(principal, community_code)
    if status is not None:
        query["status"] = status.value
    return await paginate(db[COLLECTION], query, page, to_read)


async def acknowledge(
    *, db: Database, clock: Clock, principal: Principal, incident_id: str, version: int | None
) -> dict[str, Any]:
    """Take the incident on: its escalation stops. Acknowledging again is a no-op, not an error."""
    for _ in range(ATTEMPTS):
        incident = await _current(db=db, principal=principal, incident_id=incident_id, version=version)
        if incident["status"] != IncidentStatus.OPEN:
            if incident["status"] == IncidentStatus.ACKNOWLEDGED:
                return incident
            raise Conflict("事件已处理完毕", current_status=incident["status"])
        now = clock.now()
        changes = {
            "status": "acknowledged",
            "acknowledged_at": now,
            "acknowledged_by": principal.subject,
            "changed_at": now,
            "last_step": "acknowledged",
        }
        after = {**incident, **changes, "version": incident["version"] + 1}
        event = step_event(events.ACKNOWLEDGED, after, clock=clock, step="ack")
        if await _write(db=db, clock=clock, incident=incident, changes=changes, event_list=[event]):
            return after
    raise Conflict("事件正在变化，请刷新后重试")


async def resolve(
    *, db: Database, clock: Clock, principal: Principal, incident_id: str, reason: str, version: int | None
) -> dict[str, Any]:
    for _ in range(ATTEMPTS):
        incident = await _current(db=db, principal=principal, incident_id=incident_id, version=version)
        after = await resolve_loaded(db=db, clock=clock, incident=incident, by=principal.subject, reason=reason)
        if after is not None:
            return after
    raise Conflict("事件正在变化，请刷新后重试")


async def resolve_loaded(
    *, db: Database, clock: Clock, incident: dict[str, Any], by: str, reason: str
) -> dict[str, Any] | None:
    """Close an incident read just before; the incident as it is after, or None when it changed meanwhile."""
    if incident["status"] == IncidentStatus.RESOLVED:
        return incident
    now = clock.now()
    changes = {"status": "resolved", "resolved_at": now, "resolved_by": by, "resolution": reason, "changed_at": now}
    changes["last_step"] = "resolved"
    after = {**incident, **changes, "version": incident["version"] + 1}
    event = step_event(events.RESOLVED, after, clock=clock, step="resolved", reason=reason)
    return after if await _write(db=db, clock=clock, incident=incident, changes=changes, event_list=[event]) else None


async def activate_plan(
    *, db: Database, clock: Clock, principal: Principal, incident_id: str, template_id: str
) -> dict[str, Any]:
    """Add a plan's checklist to an incident by hand (plans that match its kind are added when it opens)."""
    incident = await get(db=db, principal=principal, incident_id=incident_id)
    template = await plans.get_for(db=db, template_id=template_id, community_code=incident["community_code"])
    if template_id in incident.get("plans", []):
        return incident
    if incident["status"] == IncidentStatus.RESOLVED:
        raise Conflict("事件已处理完毕", current_status=incident["status"])
    owners = await routing.owners_at(
        db=db,
        community_code=incident["community_code"],
        grid_id=incident.get("grid_id"),
        venue_id=incident.get("venue_id"),
        at=clock.now(),
    )
    tasks = tasks_of(template, owners=owners, at=clock.now(), first_number=len(incident.get("tasks", [])))
    changes = {"changed_at": clock.now(), "last_step": "tasks"}
    update = {"$set": changes, "$push": {"tasks": {"$each": tasks}, "plans": template_id}, "$inc": {"version": 1}}
    if not await update_guarded(db[COLLECTION], incident_id, {"version": incident["version"]}, update):
        raise Conflict("事件正在变化，请刷新后重试")
    return {**incident, **changes, "tasks": [*incident.get("tasks", []), *tasks], "version": incident["version"] + 1}


async def update_task(
    *, db: Database, clock: Clock, principal: Principal, incident_id: str, task_id: str, status: str
) -> dict[str, Any]:
    incident = await get(db=db, principal=principal, incident_id=incident_id)
    number = next((n for n, t in enumerate(incident.get("tasks", [])) if t["task_id"] == task_id), None)
    if number is None:
        raise NotFound("task")
    now = clock.now()
    done = status == "done"
    fields = {"status": status, "done_at": now if done else None, "done_by": principal.subject if done else None}
    changes = {f"tasks.{number}.{k}": v for k, v in fields.items()} | {"changed_at": now, "last_step": "tasks"}
    guard = {"version": incident["version"], f"tasks.{number}.task_id": task_id}
    if not await update_guarded(db[COLLECTION], incident_id, guard, {"$set": changes, "$inc": {"version": 1}}):
        raise Conflict("事件正在变化，请刷新后重试")
    tasks = [dict(t) for t in incident["tasks"]]
    tasks[number].update(fields)
    return {**incident, "tasks": tasks, "changed_at": now, "version": incident["version"] + 1}


async def _current(*, db: Database, principal: Principal, incident_id: str, version: int | None) -> dict[str, Any]:
    incident = await get(db=db, principal=principal, incident_id=incident_id)
    if version is not None and version != incident["version"]:
        raise Conflict("事件已被他人修改，请刷新后重试", current_version=incident["version"])
    return incident


async def _write(
    *, db: Database, clock: Clock, incident: dict[str, Any], changes: dict[str, Any], event_list: list[Any]
) -> bool:
    guard = {"version": incident["version"], "status": incident["status"]}
    update = with_events({"$set": changes, "$inc": {"version": 1}}, event_list, clock=clock)
    return await update_guarded(db[COLLECTION], incident["_id"], guard, update)
