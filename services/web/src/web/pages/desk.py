"""The duty desk: the community's open incidents, live (server-sent events), to acknowledge and resolve."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from web import names
from web.apis import Apis, ApisDep
from web.pages.desk_feed import Tracker, active_incidents
from web.session import CsrfChecked, User, requires
from web.templating import render, templates
from web.upstream import Api, ApiError, Unavailable

router = APIRouter()
DutyOfficer = Annotated[User, requires("duty_officer", "community_admin")]
STREAM_SECONDS = 300  # the browser reconnects after this; a fresh connection re-reads the session
HEARTBEAT_SECONDS = 15


@router.get("/desk", response_class=HTMLResponse)
async def desk(request: Request, apis: ApisDep, user: DutyOfficer) -> HTMLResponse:
    """The desk as it is now; desk.js then keeps it current from /desk/events."""
    incidents = await active_incidents(apis.duty, user)
    places = await _places(apis, user)
    done = request.query_params.get("done")
    return render(request, "desk/desk.html", incidents=incidents, done=done, **places)


async def _places(apis: Apis, user: User) -> dict[str, Any]:
    """The names of the grids and venues an incident may name, for its row."""
    return {"grid_names": await names.grids(apis, user), "venue_names": await names.venues(apis, user)}


def _unnamed(incidents: list[dict[str, Any]], places: dict[str, Any]) -> bool:
    """Whether an incident names a grid or venue the looked-up names do not have yet (set up meanwhile)."""
    return any(
        (i.get("grid_id") and i["grid_id"] not in places["grid_names"])
        or (i.get("venue_id") and i["venue_id"] not in places["venue_names"])
        for i in incidents
    )


@router.get("/desk/events")
async def desk_events(request: Request, apis: ApisDep, user: DutyOfficer) -> StreamingResponse:
    """New and changed incidents as server-sent events, from polling duty with the officer's own token."""
    poll = float(request.app.state.settings.desk_poll_seconds)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    stream = _events(request, apis, user, poll)
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


async def _events(request: Request, apis: Apis, user: User, poll: float) -> AsyncIterator[str]:
    """Poll duty; send each new or changed incident as a rendered row, a removal for each one resolved."""
    duty: Api = apis.duty
    tracker = Tracker()
    places: dict[str, Any] = {"grid_names": {}, "venue_names": {}}
    troubled = False
    started = last_sent = time.monotonic()
    yield "retry: 3000\n\n"
    while time.monotonic() - started < STREAM_SECONDS and not await request.is_disconnected():
        try:
            incidents = await active_incidents(duty, user)
        except ApiError as error:
            yield _event("refused", {"status": error.status})
            return
        except Unavailable:
            troubled = True
            yield _event("trouble", {"service": "duty"})
        else:
            if troubled:
                troubled = False
                yield _event("back", {})
            changed, gone = tracker.changes(incidents)
            if _unnamed(changed, places):
                places = await _places(apis, user)
            for incident in changed:
                yield _event("incident", _row(request, incident, places))
                last_sent = time.monotonic()
            for incident_id in gone:
                yield _event("resolved", {"id": incident_id})
        if time.monotonic() - last_sent > HEARTBEAT_SECONDS:
            yield ": still here\n\n"
            last_sent = time.monotonic()
        await asyncio.sleep(poll)


def _row(request: Request, incident: dict[str, Any], places: dict[str, Any]) -> dict[str, Any]:
    """The incident's row as the page renders it, so the browser inserts exactly what a reload would show."""
    html = templates.get_template("desk/row.html").render(request=request, i=incident, **places)
    return {"id": incident["id"], "status": incident["status"], "level": incident["level"], "html": html}


def _event(name: str, data: dict[str, Any]) -> str:
    """One server-sent event, JSON on a single data line."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/desk/{incident_id}/acknowledge", dependencies=[CsrfChecked])
async def acknowledge(
    request: Request, incident_id: str, apis: ApisDep, user: DutyOfficer, version: Annotated[int, Form()]
) -> Response:
    """Take the incident on, which stops its escalation; `version` refuses it if it changed meanwhile."""
    path = f"/v1/incidents/{incident_id}/acknowledge"
    return await _step(request, apis.duty, user, path, {"version": version}, "acknowledged")


@router.post("/desk/{incident_id}/resolve", dependencies=[CsrfChecked])
async def resolve(
    request: Request,
    incident_id: str,
    apis: ApisDep,
    user: DutyOfficer,
    version: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Close the incident with what was done about it (the note is required)."""
    if not reason.strip():
        return await _desk_with_error(request, apis, user, incident_id, "请填写处置情况后再办结")
    body = {"reason": reason.strip()[:200], "version": version}
    return await _step(request, apis.duty, user, f"/v1/incidents/{incident_id}/resolve", body, "resolved")


async def _step(request: Request, duty: Api, user: User, path: str, body: dict[str, Any], done: str) -> Response:
    """One step on an incident; a refusal (changed meanwhile, already closed) is shown on the desk."""
    try:
        await duty.call("POST", path, token=user.token, json=body)
    except ApiError as error:
        if error.status == 401:
            raise
        incident_id = path.split("/")[3]
        message = _refusal(error)
        return await _desk_with_error(request, request.app.state.apis, user, incident_id, message)
    return RedirectResponse(f"/desk?done={done}", status_code=303)


def _refusal(error: ApiError) -> str:
    """Duty's refusal in words that tell the officer what to do next."""
    if error.status == 409:
        return "该事件已被他人处理或已更新，请查看最新状态后再操作"
    if error.status == 404:
        return "未找到该事件，可能不在您的辖区"
    if error.fields:
        return "；".join(error.fields.values())
    return error.detail or error.title


async def _desk_with_error(request: Request, apis: Any, user: User, incident_id: str, message: str) -> HTMLResponse:
    """The desk again, with the refusal shown on the incident's own row."""
    incidents = await active_incidents(apis.duty, user)
    errors = {incident_id: message}
    places = await _places(apis, user)
    return render(request, "desk/desk.html", status_code=422, incidents=incidents, errors=errors, done=None, **places)
