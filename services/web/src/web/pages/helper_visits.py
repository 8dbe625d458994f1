"""The members due a care visit (and overdue), and recording how a visit went."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web import names
from web.apis import ApisDep
from web.pages.desk_feed import every_page
from web.session import CsrfChecked, User, requires
from web.templating import render
from web.upstream import ApiError

router = APIRouter()
Visitor = Annotated[User, requires("social_worker", "volunteer", "community_admin", "grid_worker")]
VISITORS = ("social_worker", "community_admin", "grid_worker")


@router.get("/visits", response_class=HTMLResponse)
async def visits(request: Request, apis: ApisDep, user: Visitor) -> HTMLResponse:
    """Overdue visits first, then those due, with the member's masked name and phone."""
    return await _page(request, apis, user)


async def _page(request: Request, apis: Any, user: User, status_code: int = 200, **extra: Any) -> HTMLResponse:
    """The page, with `extra` (a form's errors and what was sent) when a record was refused."""
    if not user.has(*VISITORS):
        return render(request, "helper/visits.html", visits=[], members={}, not_mine=True)
    due = await every_page(apis.care, user, "/v1/visits", {"status": "overdue"})
    due += await every_page(apis.care, user, "/v1/visits", {"status": "due"})
    members = {m["person_id"]: m for m in await every_page(apis.care, user, "/v1/members", {})}
    context = {
        "visits": due,
        "members": members,
        "grid_names": await names.grids(apis, user),
        "flash": request.query_params.get("done"),
        "not_mine": False,
    }
    return render(request, "helper/visits.html", status_code=status_code, **context, **extra)


@router.post("/visits/{visit_id}/record", dependencies=[CsrfChecked])
async def record(
    request: Request,
    visit_id: str,
    apis: ApisDep,
    user: Visitor,
    outcome: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
    needs: Annotated[list[str] | None, Form()] = None,
    notes: Annotated[str, Form()] = "",
) -> Response:
    """Record how the visit went; the API's objections come back next to their fields, with what was sent."""
    body: dict[str, Any] = {"outcome": outcome, "needs": needs or []}
    if method:
        body["method"] = method
    if notes.strip():
        body["notes"] = notes.strip()[:500]
    try:
        await apis.care.call("POST", f"/v1/visits/{visit_id}/record", token=user.token, json=body)
    except ApiError as error:
        if error.status == 401:
            raise
        sent = {visit_id: {"outcome": outcome, "method": method, "needs": needs or [], "notes": notes}}
        return await _page(request, apis, user, 422, errors={visit_id: _errors(error)}, sent=sent)
    return RedirectResponse("/visits?done=recorded", status_code=303)


def _errors(error: ApiError) -> dict[str, str]:
    """The API's complaints by form field; a refusal without a field is shown for the whole visit."""
    if error.status == 409:
        return {"step": "该走访已被记录或已取消，请查看最新状态"}
    found = {}
    for path, message in error.fields.items():
        name = path.rsplit(".", 1)[-1] if path else ""
        found["needs" if "needs" in message or name == "needs" else name or "outcome"] = _chinese(message)
    return found or {"step": error.detail or error.title}


def _chinese(message: str) -> str:
    """The API's English validation words, in the Chinese the form uses."""
    if "needs found" in message:
        return "选择“发现需求”时请勾选发现的需求"
    if "outcome" in message or "Input should be" in message:
        return "请选择走访结果"
    return message
