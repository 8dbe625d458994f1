"""Acknowledging an incident from the link in its page (SMS or group robot), without signing in.

Chat apps (WeCom, DingTalk) open a link to preview it, so opening it only shows what it is about and asks;
the button posts, and only the post acknowledges. Duty checks the link (signed, single-use, expiring) and
acknowledges as the person it was sent to; these pages only ask and tell.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from web.apis import ApisDep, resident_address
from web.pages.resident import plain
from web.session import CsrfChecked
from web.templating import render
from web.upstream import ApiError

router = APIRouter(prefix="/a")
Token = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$")]
USED = "链接已使用"


@router.get("/{token}", response_class=HTMLResponse)
async def confirm(request: Request, apis: ApisDep, token: Token) -> HTMLResponse:
    """What the link acknowledges, and a button; opening it changes nothing."""
    try:
        found: dict[str, Any] = await apis.duty.call(
            "GET", "/v1/ack-links/current", headers={"X-Link-Token": token}, forwarded_for=resident_address(request)
        )
    except ApiError as exc:
        return _refused(request, exc)
    return render(request, "ack.html", state="confirm", token=token, incident=found)


@router.post("/{token}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def acknowledge(request: Request, apis: ApisDep, token: Token) -> HTMLResponse:
    try:
        done: dict[str, Any] = await apis.duty.call(
            "POST",
            "/v1/ack-links/current/acknowledge",
            headers={"X-Link-Token": token},
            forwarded_for=resident_address(request),
        )
    except ApiError as exc:
        return _refused(request, exc)
    return render(request, "ack.html", state="done", token=token, done=done)


def _refused(request: Request, exc: ApiError) -> HTMLResponse:
    """A link duty turned down, in plain words: used, expired, not genuine, or the incident already closed."""
    if exc.status == 410 and exc.title == USED:
        reason = "used"
    elif exc.status == 410:
        reason = "expired"
    elif exc.status == 409:
        reason = "resolved"
    elif exc.status == 429:
        reason = "busy"
    elif exc.status in (401, 422):
        reason = "invalid"
    else:
        raise exc
    status = {"used": 410, "expired": 410, "resolved": 409, "busy": 429}.get(reason, 403)
    return render(request, "ack.html", status_code=status, state=reason, detail=plain(exc.detail, ""))
