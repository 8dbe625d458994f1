"""A helper's tasks: the help requests assigned to me, to take on and fulfil; the resident's phone on request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.apis import ApisDep
from web.pages.helper_requests import my_requests
from web.session import CsrfChecked, User, requires
from web.templating import render
from web.upstream import ApiError

router = APIRouter()
Helper = Annotated[User, requires("social_worker", "volunteer")]
PURPOSES = {"contact": "联系求助人", "delivery": "上门送达"}


@router.get("/tasks", response_class=HTMLResponse)
async def tasks(request: Request, apis: ApisDep, user: Helper) -> HTMLResponse:
    """My requests still to do, the most urgent deadline first, and the last ones done."""
    return await _page(request, apis, user)


async def _page(request: Request, apis: Any, user: User, status_code: int = 200, **extra: Any) -> HTMLResponse:
    """The page, with `extra`: a refused form's errors, or a contact just revealed."""
    todo, done = await my_requests(apis.care, user)
    context = {"todo": todo, "done": done, "purposes": PURPOSES, "flash": request.query_params.get("done")}
    return render(request, "helper/tasks.html", status_code=status_code, **context, **extra)


@router.post("/tasks/{request_id}/acknowledge", dependencies=[CsrfChecked])
async def acknowledge(request: Request, request_id: str, apis: ApisDep, user: Helper) -> Response:
    """Take the request on before its acknowledge deadline."""
    return await _step(request, apis, user, request_id, "acknowledge", {}, "acknowledged")


@router.post("/tasks/{request_id}/fulfil", dependencies=[CsrfChecked])
async def fulfil(
    request: Request,
    request_id: str,
    apis: ApisDep,
    user: Helper,
    completeness: Annotated[str, Form()] = "complete",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record the help given; a partial fulfilment says what is still missing, so the community can follow up."""
    if completeness == "partial" and not note.strip():
        errors = {"note": "部分完成时请写明还缺什么"}
        return await _page(request, apis, user, 422, errors={request_id: errors})
    body: dict[str, Any] = {"completeness": "partial" if completeness == "partial" else "complete"}
    if note.strip():
        body["note"] = note.strip()[:500]
    return await _step(request, apis, user, request_id, "fulfil", body, body["completeness"])


@router.post("/tasks/{request_id}/reveal", dependencies=[CsrfChecked], response_class=HTMLResponse)
async def reveal(
    request: Request, request_id: str, apis: ApisDep, user: Helper, purpose: Annotated[str, Form()] = ""
) -> Response:
    """The resident's contact in full, shown once on this answer only; care records who asked and why."""
    if purpose not in PURPOSES:
        return await _page(request, apis, user, 422, errors={request_id: {"purpose": "请选择查看联系方式的用途"}})
    try:
        contact = await apis.care.call(
            "POST", f"/v1/requests/{request_id}/contact/reveal", token=user.token, json={"purpose": purpose}
        )
    except ApiError as error:
        if error.status == 401:
            raise
        return await _page(request, apis, user, 422, errors={request_id: {"step": _refusal(error)}})
    return await _page(request, apis, user, revealed={request_id: contact})


async def _step(
    request: Request, apis: Any, user: User, request_id: str, step: str, body: dict[str, Any], done: str
) -> Response:
    """One step of the request; a refusal is shown on the request's own card."""
    try:
        await apis.care.call("POST", f"/v1/requests/{request_id}/{step}", token=user.token, json=body)
    except ApiError as error:
        if error.status == 401:
            raise
        fields = {name.rsplit(".", 1)[-1]: message for name, message in error.fields.items()}
        errors = fields or {"step": _refusal(error)}
        return await _page(request, apis, user, 422, errors={request_id: errors})
    return RedirectResponse(f"/tasks?done={done}", status_code=303)


def _refusal(error: ApiError) -> str:
    """Care's refusal in words that tell the helper what happened."""
    if error.status == 409:
        return "该求助的状态已变化（可能已完成或已取消），请查看最新状态"
    if error.status == 404:
        return "未找到该求助，可能已改派给他人"
    return error.detail or error.title
