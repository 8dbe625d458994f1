"""Recurring requests: a template and a chain of stored jobs, each opening one request and scheduling the next.

The template names the day its next request opens (`next_on`); a job acts only when it is that day's link,
and hands over with a write guarded by it, so a re-run (another replica, a crash) opens nothing twice: the
request's id derives from the template and the day.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from gridline import jobs
from gridline.auth import Principal, scope_keys
from gridline.clock import LOCAL_TZ, Clock, local_today
from gridline.errors import Conflict, Invalid, NotFound
from gridline.events import derived_id
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import insert_once, stamp
from gridline.jobs import JobContext, JobKind
from gridline.mongo import Database, Index, update_guarded
from gridline.pii import Protector

from care import contacts
from care.requests.documents import Draft
from care.requests.intake import place
from care.requests.opening import open_request
from care.schedule import next_occurrence
from care.settings import care_settings
from care.templates.models import TemplateCreate, TemplateRead
from care.vocabulary import Source

COLLECTION = "request_templates"
INDEXES = [Index(COLLECTION, (("scope", 1), ("_id", 1)))]
KIND = "care.template-due"


async def create(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    principal: Principal,
    body: TemplateCreate,
    template_id: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    if body.first_on < local_today(clock):
        raise Invalid("first_on", "首次日期不能早于今天")
    member, community_code, grid_id = await place(
        db=db, principal=principal, person_id=body.person_id, community_code=body.community_code, grid_id=body.grid_id
    )
    template = {
        "_id": template_id,
        "person_id": body.person_id,
        "community_code": community_code,
        "grid_id": grid_id,
        "scope": scope_keys(community_code, grid_id),
        **body.model_dump(
            mode="json", include={"type", "priority", "needs", "every_days", "first_on", "at", "last_on"}
        ),
        "contact": contacts.seal(body.contact, protector) or (member or {}).get("contact"),
        "next_on": body.first_on.isoformat(),
        "active": True,
        "opened_on": [],
        "created_by": principal.subject,
        "created_at": clock.now(),
        "version": 1,
    }
    stored = await insert_once(db[COLLECTION], stamp(template, key=idempotency_key, body=body), body=body)
    # After the template, so its first job never runs before there is a template to open from (a first day
    # already past its hour is due at once). Scheduling again is a no-op; it completes an earlier attempt
    # that stopped before this point, and a job whose template has moved on opens nothing.
    await schedule(db=db, clock=clock, template=stored, on=date.fromisoformat(stored["first_on"]))
    return stored


async def schedule(*, db: Database, clock: Clock, template: dict[str, Any], on: date) -> None:
    hours, _, minutes = template["at"].partition(":")
    await jobs.schedule(
        db,
        job_id=f"{KIND}:{template['_id']}:{on.isoformat()}",
        kind=KIND,
        due_at=datetime.combine(on, time(int(hours), int(minutes)), LOCAL_TZ),
        payload={"template_id": template["_id"], "on": on.isoformat()},
        clock=clock,
    )


async def run(ctx: JobContext) -> None:
    """Job handler: open this day's request, store the next link, then hand over."""
    template = await ctx.db[COLLECTION].find_one({"_id": ctx.payload["template_id"]})
    on = ctx.payload["on"]
    if template is None or not template["active"] or template["next_on"] != on:
        return
    day = date.fromisoformat(on)
    request_id = derived_id("care.templates", template["_id"], on)
    await open_request(
        db=ctx.db, clock=ctx.clock, settings=care_settings(ctx.settings), draft=_draft(template), request_id=request_id
    )
    # Counted by day, so a re-run counts nothing twice, and a stop racing this handover loses no count.
    await update_guarded(ctx.db[COLLECTION], template["_id"], {}, {"$addToSet": {"opened_on": on}})
    following = next_occurrence(day, template["every_days"], not_before=local_today(ctx.clock))
    last_on = template.get("last_on")
    ended = last_on is not None and following > date.fromisoformat(last_on)
    if not ended:
        await schedule(db=ctx.db, clock=ctx.clock, template=template, on=following)
    handover = {"next_on": None if ended else following.isoformat(), "active": not ended}
    await update_guarded(ctx.db[COLLECTION], template["_id"], {"next_on": on}, {"$set": handover})


def _draft(template: dict[str, Any]) -> Draft:
    return Draft(
        community_code=template["community_code"],
        grid_id=template["grid_id"],
        person_id=template["person_id"],
        type=template["type"],
        priority=template["priority"],
        needs=template["needs"],
        source=Source.TEMPLATE.value,
        opened_by=template["created_by"],
        contact=template.get("contact"),
        template_id=template["_id"],
    )


async def stop(*, db: Database, clock: Clock, principal: Principal, template_id: str) -> dict[str, Any]:
    """No further request opens; requests already open carry on."""
    template = await db[COLLECTION].find_one({"_id": template_id, **principal.scope_filter()})
    if template is None:
        raise NotFound("request template")
    if not template["active"]:
        return template
    changes = {"active": False, "next_on": None, "stopped_by": principal.subject, "stopped_at": clock.now()}
    guard = {"version": template["version"], "next_on": template["next_on"]}
    if not await update_guarded(db[COLLECTION], template_id, guard, {"$set": changes, "$inc": {"version": 1}}):
        raise Conflict("该周期求助正在更新，请重试")
    return {**template, **changes, "version": template["version"] + 1}


async def list_page(*, db: Database, principal: Principal, page: PageParams) -> Page[TemplateRead]:
    return await paginate(db[COLLECTION], principal.scope_filter(), page, to_read)


def to_read(doc: dict[str, Any]) -> TemplateRead:
    return TemplateRead.model_validate(
        {
            **doc,
            "id": doc["_id"],
            "contact": contacts.masked(doc.get("contact")),
            "opened_requests": len(doc.get("opened_on", [])),
        }
    )


JOB = JobKind(KIND, run)
