"""Re-dispatch: an urgent request its helper has not acknowledged by the deadline goes to the next best helper.

A stored job per assignment (see `notices`) checks at the deadline. It re-dispatches only while the request
is still assigned, unacknowledged, to the helper the job was stored for, so a job run twice, or after the
helper acknowledged, changes nothing. The new helper is the best suggestion not tried before on this request;
the assignment's own event texts them and stores the next check. Re-dispatches per request are bounded.
"""

from __future__ import annotations

import logging

from gridline.auth import Principal
from gridline.jobs import JobContext, JobKind

from care.dispatch import service as dispatch
from care.requests import transitions
from care.requests.documents import COLLECTION as REQUESTS
from care.requests.models import AssignBody
from care.settings import CareSettings
from care.vocabulary import Status

log = logging.getLogger(__name__)

KIND = "care.redispatch"
DISPATCHER = "care-redispatch"


async def run(ctx: JobContext) -> None:
    """Job handler: give the request to another helper if the one it was stored for did not acknowledge."""
    settings = ctx.settings
    assert isinstance(settings, CareSettings)
    request_id, helper_id = ctx.payload["request_id"], ctx.payload["helper_id"]
    request = await ctx.db[REQUESTS].find_one({"_id": request_id}, {"_outbox": 0})
    holder = ((request or {}).get("assignee") or {}).get("helper_id")
    if request is None or request["status"] != Status.ASSIGNED or holder != helper_id:
        return  # acknowledged, reassigned or closed in time
    history = request.get("history", [])
    if sum(1 for h in history if h.get("by") == DISPATCHER) >= settings.redispatch_limit:
        log.warning("request %s is still unacknowledged after %d re-dispatches", request_id, settings.redispatch_limit)
        return
    tried = {h["helper_id"] for h in history if h.get("action") == "assign" and h.get("helper_id")}
    found = await dispatch.suggest(
        db=ctx.db,
        clock=ctx.clock,
        community_code=request["community_code"],
        request_type=request["type"],
        limit=len(tried) + 5,
    )
    fresh = [h for h in found if h["_id"] not in tried]
    if not fresh:
        log.warning("request %s is unacknowledged and no other helper is available", request_id)
        return
    dispatcher = Principal(
        subject=DISPATCHER, roles=frozenset({"community_admin"}), jurisdiction=request["community_code"], claims={}
    )
    await transitions.assign(
        db=ctx.db,
        clock=ctx.clock,
        principal=dispatcher,
        request_id=request_id,
        body=AssignBody(helper_id=fresh[0]["_id"], note="超时未确认，自动改派"),
    )


JOB = JobKind(KIND, run, max_attempts=10)
