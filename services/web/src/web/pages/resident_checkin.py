"""Self check-in from the QR code a grid worker issued: the resident reports temperature, symptoms and code."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from web.apis import Apis, ApisDep, resident_address
from web.pages.resident import link_page, link_refused, plain, refusal
from web.session import CsrfChecked
from web.templating import render
from web.upstream import ApiError

router = APIRouter(prefix="/r")
FEVER_C = 37.3
Param = Annotated[str, Query(max_length=2000)]


@router.get("/checkin", response_class=HTMLResponse)
async def checkin_form(request: Request, apis: ApisDep, plan: Param = "", t: Param = "") -> HTMLResponse:
    """The form, with today's slots and whom to call; a dead link gets the clear page instead."""
    try:
        form = await _form(request, apis, plan, t)
    except ApiError as exc:
        if link_refused(exc):
            return link_page(request, exc, what="自主健康打卡")
        raise
    return _render(request, plan=plan, token=t, form=form, sent={})


@router.post("/checkin", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def checkin_send(request: Request, apis: ApisDep) -> HTMLResponse:
    """Send the report through the link; confirm what was sent, or show what to fix next to the field."""
    data = await request.form()
    plan, token = str(data.get("plan", "")), str(data.get("t", ""))
    sent = {
        "temperature": str(data.get("temperature", "")).strip(),
        "symptoms": [str(s) for s in data.getlist("symptoms")],
        "health_code": str(data.get("health_code", "")),
        "note": str(data.get("note", "")).strip(),
        "key": str(data.get("key", "")) or uuid.uuid4().hex,
    }
    body, errors = _report(sent)
    try:
        if errors:
            return _render(
                request,
                plan=plan,
                token=token,
                form=await _form(request, apis, plan, token),
                sent=sent,
                errors=errors,
                status_code=422,
            )
        answer = await apis.monitoring.call(
            "POST",
            f"/v1/plans/{quote(plan, safe='')}/self-checkin",
            json=body,
            headers={"X-Link-Token": token, "Idempotency-Key": sent["key"]},
            forwarded_for=resident_address(request),
        )
    except ApiError as exc:
        if link_refused(exc):
            return link_page(request, exc, what="自主健康打卡")
        form = await _form(request, apis, plan, token)
        fields = {_FIELDS.get(k, k): plain(v, "请检查此项") for k, v in exc.fields.items()}
        return _render(
            request,
            plan=plan,
            token=token,
            form=form,
            sent=sent,
            errors=fields,
            problem=refusal(exc),
            status_code=exc.status,
        )
    return render(request, "resident/checkin_done.html", answer=answer, sent=body, fever=_fever(body))


_FIELDS = {"temperature_c": "temperature", "health_code": "health_code", "symptoms": "symptoms", "note": "note"}


def _report(sent: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The selfCheckin body from the form, and the errors a person can fix before anything is sent."""
    errors: dict[str, str] = {}
    body: dict[str, Any] = {"symptoms": sent["symptoms"]}
    try:
        temperature = round(float(sent["temperature"]), 1)
    except ValueError:
        errors["temperature"] = "请填写体温，例如 36.5"
    else:
        if not 34.0 <= temperature <= 43.0:
            errors["temperature"] = "体温应在 34.0 至 43.0 ℃ 之间，请重新测量后填写"
        body["temperature_c"] = temperature
    if sent["health_code"] not in ("green", "yellow", "red"):
        errors["health_code"] = "请选择健康码颜色"
    else:
        body["health_code"] = sent["health_code"]
    if sent["note"]:
        body["note"] = sent["note"][:200]
    return body, errors


def _fever(body: dict[str, Any]) -> bool:
    return float(body.get("temperature_c") or 0) >= FEVER_C


async def _form(request: Request, apis: Apis, plan: str, token: str) -> dict[str, Any]:
    if not plan or not token:
        raise ApiError(401, "链接无效")
    form: dict[str, Any] = await apis.monitoring.call(
        "GET",
        f"/v1/plans/{quote(plan, safe='')}/self-checkin",
        headers={"X-Link-Token": token},
        forwarded_for=resident_address(request),
    )
    return form


def _render(
    request: Request,
    *,
    plan: str,
    token: str,
    form: dict[str, Any],
    sent: dict[str, Any],
    errors: dict[str, str] | None = None,
    problem: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "resident/checkin.html",
        status_code=status_code,
        plan=plan,
        token=token,
        form=form,
        sent=sent,
        key=sent.get("key") or uuid.uuid4().hex,
        errors=errors or {},
        problem=problem,
    )
