"""Event adapter: a request's own events make its helpers' load right.

The request's write and the load change are two documents, written one after the other; a crash between
them would leave the load wrong. The event, stored with the request's write, is delivered at least once
and brings every helper it names in line with the request as it now is. The changes are repeat-safe, so
it does nothing when the request's write already did it.
"""

from __future__ import annotations

from gridline.consumer import HandlerContext
from gridline.events import Event

from care.helpers import load
from care.helpers.inbound import RequestAssigned, RequestClosed
from care.requests.documents import COLLECTION as REQUESTS
from care.vocabulary import CLOSED


async def on_request_assigned(ctx: HandlerContext, event: Event, data: RequestAssigned) -> None:
    await _reconcile(ctx, data.request_id, [data.helper_id, data.previous_helper_id])


async def on_request_closed(ctx: HandlerContext, event: Event, data: RequestClosed) -> None:
    await _reconcile(ctx, data.request_id, [data.helper_id])


async def _reconcile(ctx: HandlerContext, request_id: str, named: list[str | None]) -> None:
    request = await ctx.db[REQUESTS].find_one({"_id": request_id}, {"assignee": 1, "status": 1, "updated_at": 1})
    if request is None:
        return
    holder = (request.get("assignee") or {}).get("helper_id") if request["status"] not in CLOSED else None
    for helper_id in {h for h in named if h and h != holder}:
        await load.release(db=ctx.db, helper_id=helper_id, request_id=request_id)
    if holder:
        await load.take(db=ctx.db, helper_id=holder, request_id=request_id, at=request["updated_at"])
