"""Ask for help through the link a worker gave: what is needed and by when, then where each request stands."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web import labels
from web.apis import Apis, ApisDep, resident_address
from web.pages.resident import link_page, link_refused, plain, refusal
from web.session import CsrfChecked
from web.templating import SHANGHAI, render
from web.upstream import ApiError

router = APIRouter(prefix="/r")
PATH = "/v1/resident/help-requests"
Param = Annotated[str, Query(max_length=2048)]
FIELDS = {"type": "type", "needs": "needs", "needed_by": "needed_by", "contact.phone": "phone", "urgent": "urgent"}


@router.get("/help", response_class=HTMLResponse)
async def help_page(request: Request, apis: ApisDep, t: Param = "", opened: Param = "") -> HTMLResponse:
    """The form, and the resident's own requests with their status (the same link, any time later)."""
    try:
        mine = await _mine(request, apis, t)
    except ApiError as exc:
        if link_refused(exc):
            return link_page(request, exc, what="求助")
        raise
    return _render(request, token=t, mine=mine, sent={}, opened=opened)


@router.post("/help", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def help_send(request: Request, apis: ApisDep) -> Response:
    """Open the request; back to the same link's page, which now lists it, or the form with what to fix."""
    data = await request.form()
    token = str(data.get("t", ""))
    sent = {name: str(data.get(name, "")).strip() for name in ("type", "needs", "needed_by", "phone", "urgent", "key")}
    sent["key"] = sent["key"] or uuid.uuid4().hex
    body, errors = _request_body(sent)
    try:
        if errors:
            return _render(
                request, token=token, mine=await _mine(request, apis, token), sent=sent, errors=errors, status_code=422
            )
        opened = await apis.care.call(
            "POST",
            PATH,
            json=body,
            headers={"X-Link-Token": token, "Idempotency-Key": sent["key"]},
            forwarded_for=resident_address(request),
        )
    except ApiError as exc:
        if link_refused(exc):
            return link_page(request, exc, what="求助")
        fields = {FIELDS.get(k, k): plain(v, "请检查此项") for k, v in exc.fields.items()}
        return _render(
            request,
            token=token,
            mine=await _mine(request, apis, token),
            sent=sent,
            errors=fields,
            problem=refusal(exc),
            status_code=exc.status,
        )
    return RedirectResponse("/r/help?" + urlencode({"t": token, "opened": opened["id"]}), status_code=303)


def _request_body(sent: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The openResidentRequest body from the form, and what a person can fix before it is sent."""
    errors: dict[str, str] = {}
    body: dict[str, Any] = {"type": sent["type"], "needs": sent["needs"][:500], "urgent": sent["urgent"] == "1"}
    if sent["type"] not in labels.WORDS["request_type"]:
        errors["type"] = "请选择需要哪类帮助"
    if not sent["needs"]:
        errors["needs"] = "请写下需要什么，例如：降压药两盒"
    if sent["needed_by"]:
        try:
            when = datetime.fromisoformat(sent["needed_by"]).replace(tzinfo=SHANGHAI)
        except ValueError:
            errors["needed_by"] = "请选择日期和时间"
        else:
            if when <= datetime.now(SHANGHAI):
                errors["needed_by"] = "请选择一个还没到的时间"
            body["needed_by"] = when.isoformat()
    if sent["phone"]:
        if not (len(sent["phone"]) == 11 and sent["phone"].isdigit()):
            errors["phone"] = "请填写11位手机号码"
        body["contact"] = {"phone": sent["phone"]}
    return body, errors


async def _mine(request: Request, apis: Apis, token: str) -> list[dict[str, Any]]:
    if not token:
        raise ApiError(401, "链接无效")
    mine: list[dict[str, Any]] = await apis.care.call(
        "GET", PATH, headers={"X-Link-Token": token}, forwarded_for=resident_address(request)
    )
    return mine


def _render(
    request: Request,
    *,
    token: str,
    mine: list[dict[str, Any]],
    sent: dict[str, str],
    opened: str = "",
    errors: dict[str, str] | None = None,
    problem: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "resident/help.html",
        status_code=status_code,
        token=token,
        mine=mine,
        sent=sent,
        opened=opened,
        key=sent.get("key") or uuid.uuid4().hex,
        errors=errors or {},
        problem=problem,
        badges=BADGES,
    )


BADGES = {"open": "warn", "fulfilled": "ok", "cancelled": "bad"}
