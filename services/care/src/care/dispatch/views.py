"""HTTP adapter for dispatch: the helpers best suited to a request, for a worker to confirm one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from gridline.auth import Principal
from gridline.http.deps import ClockDep, DbDep, require

from care import rights
from care.dispatch import service as dispatch
from care.requests import service as requests
from care.requests.models import SuggestionRead, Suggestions

router = APIRouter(prefix="/v1/requests", tags=["dispatch"])
Dispatcher = Annotated[Principal, Depends(require(rights.DISPATCH_REQUEST))]


@router.get(
    "/{request_id}/suggestions",
    operation_id="suggestHelpers",
    summary="Helpers with the skill, serving the community, available now; least loaded first, fair on ties",
)
async def suggest_helpers(
    request_id: Annotated[str, Path(min_length=1, max_length=64)],
    db: DbDep,
    clock: ClockDep,
    principal: Dispatcher,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Suggestions:
    request = await requests.get(db=db, principal=principal, request_id=request_id)
    helpers = await dispatch.suggest(
        db=db,
        clock=clock,
        community_code=request["community_code"],
        request_type=request["type"],
        exclude=(request.get("assignee") or {}).get("helper_id"),
        limit=limit,
    )
    items = [SuggestionRead.model_validate({**h, "helper_id": h["_id"], "load": h.get("load", 0)}) for h in helpers]
    return Suggestions(request_id=request_id, items=items)
