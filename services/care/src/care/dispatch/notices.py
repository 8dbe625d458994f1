"""When a request is assigned, its helper is texted what to do, the masked address and the deadline; an urgent
request's assignment also stores the check that re-dispatches it if the helper does not acknowledge in time.

Both follow the `assigned` event, not the request handler, so an assignment made in any way (by a worker,
automatically at opening, by a re-dispatch) is announced once: the text's key and the check's id derive from
the event, which a redelivery repeats. The key also names the request and the helper, which a text that fails
for good is announced about (`care.dispatch.undelivered`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from gridline import jobs, notify
from gridline.clock import LOCAL_TZ
from gridline.consumer import HandlerContext
from gridline.events import Event

from care.dispatch import redispatch, texts
from care.dispatch.inbound import RequestAssigned
from care.helpers.service import COLLECTION as HELPERS
from care.helpers.service import PHONE_CONTEXT
from care.requests.documents import COLLECTION as REQUESTS
from care.settings import CareSettings

log = logging.getLogger(__name__)


async def on_request_assigned(ctx: HandlerContext, event: Event, data: RequestAssigned) -> None:
    settings = ctx.settings
    assert isinstance(settings, CareSettings)
    request = await ctx.db[REQUESTS].find_one({"_id": data.request_id}, {"_outbox": 0, "history": 0})
    helper = await ctx.db[HELPERS].find_one({"_id": data.helper_id})
    if request is None or helper is None:
        return
    if request["priority"] == "urgent":
        await _schedule_check(ctx, settings, event, request, data)
    await _text(ctx, settings, event, request, helper)


async def _text(
    ctx: HandlerContext, settings: CareSettings, event: Event, request: dict[str, Any], helper: dict[str, Any]
) -> None:
    if not helper.get("phone"):
        return  # a helper without a phone sees the task on their page only
    protector = settings.protector()
    address = (request.get("contact") or {}).get("address_masked") or "见志愿者页面"
    params = {
        "who": helper["name"],
        "what": texts.what(request["type"], request["priority"], request.get("needs") or ""),
        "address": address,
        "by": _local(request["acknowledge_by"]),
    }
    try:
        await notify.queue(
            ctx.db,
            clock=ctx.clock,
            protector=protector,
            settings=settings,
            key=text_key(event.id, request_id=request["_id"], helper_id=helper["_id"]),
            kind=texts.ASSIGNED,
            recipient=notify.Phone(protector.open(helper["phone"], context=PHONE_CONTEXT)),
            params=params,
            community_code=request["community_code"],
        )
    except notify.NotifyError as exc:  # no gateway, or the phone's day is full: the helper's page still has it
        log.warning("assignment %s not texted: %s", event.id, exc)


def text_key(event_id: str, *, request_id: str, helper_id: str) -> str:
    """The assignment text's key: the event it follows, and the request and helper its failure is told about."""
    return f"{texts.ASSIGNED}:{request_id}:{helper_id}:{event_id}"


def text_of(key: str) -> tuple[str, str] | None:
    """The request and helper an assignment text's key names; None for any other key."""
    parts = key.split(":")
    if len(parts) != 4 or parts[0] != texts.ASSIGNED or not all(parts[1:]):
        return None
    return parts[1], parts[2]


async def _schedule_check(
    ctx: HandlerContext, settings: CareSettings, event: Event, request: dict[str, Any], data: RequestAssigned
) -> None:
    """The acknowledgement deadline of this assignment: the request's own, or a fresh span after it passed."""
    deadline, at = _aware(request["acknowledge_by"]), _aware(event.time)
    due = deadline if at < deadline else at + settings.deadline(request["type"], request["priority"]).acknowledge
    await jobs.schedule(
        ctx.db,
        job_id=f"{redispatch.KIND}:{event.id}",
        kind=redispatch.KIND,
        due_at=due,
        payload={"request_id": data.request_id, "helper_id": data.helper_id},
        clock=ctx.clock,
    )


def _local(moment: datetime) -> str:
    return _aware(moment).astimezone(LOCAL_TZ).strftime("%m月%d日%H:%M")


def _aware(moment: datetime) -> datetime:
    """Instants read back from the database are UTC, naive where the driver leaves them so."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
