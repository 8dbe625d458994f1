"""Who is on duty now, the community's rotations, and shift swaps: request, accept, approve or decline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web import names
from web.apis import ApisDep
from web.pages.desk_shifts import SHANGHAI, my_shifts
from web.session import CsrfChecked, User, requires
from web.templating import render
from web.upstream import ApiError

router = APIRouter()
DutyOfficer = Annotated[User, requires("duty_officer", "community_admin")]
DECISIONS = {"accept": "accepted", "approve": "approved", "reject": "rejected"}


@router.get("/roster", response_class=HTMLResponse)
async def roster(request: Request, apis: ApisDep, user: DutyOfficer) -> HTMLResponse:
    """Who is on duty now, my shifts to offer for a swap, the swaps, and the rotations."""
    return await _page(request, apis, user)


async def _page(request: Request, apis: Any, user: User, status_code: int = 200, **extra: Any) -> HTMLResponse:
    """The page, with `extra` (a refused form's errors) when a step was refused."""
    scope = {"community_code": user.community} if user.community else {}
    on_duty = None
    if user.community:
        on_duty = await apis.duty.call("GET", "/v1/on-duty", token=user.token, params=scope)
    rotations = (await apis.duty.call("GET", "/v1/rotations", token=user.token, params={**scope, "limit": 200}))[
        "items"
    ]
    changes = await apis.duty.call("GET", "/v1/roster-changes", token=user.token, params={**scope, "limit": 200})
    swaps = sorted((c for c in changes["items"] if c["kind"] == "swap"), key=lambda c: c["starts_at"], reverse=True)
    mine = my_shifts(rotations, user.subject, datetime.now(SHANGHAI))
    colleagues = {o["subject"]: o for shift in mine for o in shift.others}
    context = {
        "on_duty": on_duty,
        "colleagues": list(colleagues.values()),
        "rotations": rotations,
        "grid_names": await names.grids(apis, user) if any(r.get("grid_id") for r in rotations) else {},
        "swaps": swaps,
        "mine": mine,
        "flash": request.query_params.get("done"),
    }
    return render(request, "desk/roster.html", status_code=status_code, **context, **extra)


@router.post("/roster/swaps", dependencies=[CsrfChecked])
async def request_swap(
    request: Request,
    apis: ApisDep,
    user: DutyOfficer,
    shift: Annotated[str, Form()] = "",
    counterpart: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """`shift` is `<shift id>|<role>`, `counterpart` is `<subject>|<name>`, as the page's choices give them."""
    shift_id, _, role = shift.partition("|")
    subject, _, name = counterpart.partition("|")
    if not (shift_id and role and subject and name):
        return await _page(request, apis, user, 422, swap_errors={"counterpart": "请选择班次和接班同事"})
    body = {"shift_id": shift_id, "role": role, "counterpart": {"subject": subject, "name": name}, "reason": reason}
    try:
        await apis.duty.call("POST", "/v1/swaps", token=user.token, json=body)
    except ApiError as error:
        if error.status == 401:
            raise
        fields = {path.split(".")[0]: message for path, message in error.fields.items()}
        return await _page(request, apis, user, 422, swap_errors=fields or {"counterpart": error.detail or error.title})
    return RedirectResponse("/roster?done=requested", status_code=303)


@router.post("/roster/swaps/{change_id}/{decision}", dependencies=[CsrfChecked])
async def decide(
    request: Request,
    change_id: str,
    decision: str,
    apis: ApisDep,
    user: DutyOfficer,
    version: Annotated[int, Form()],
) -> Response:
    """Accept a swap offered to me, approve an accepted one (community), or decline; duty checks who may."""
    if decision not in DECISIONS:
        return RedirectResponse("/roster", status_code=303)
    path = f"/v1/swaps/{change_id}/{decision}"
    try:
        await apis.duty.call("POST", path, token=user.token, json={"version": version})
    except ApiError as error:
        if error.status == 401:
            raise
        message = {
            403: "您没有批准换班的权限，请联系社区管理员",
            404: "这条换班不是发给您的，或已不存在",
            409: "换班状态已变化，请查看最新状态",
        }.get(error.status, error.detail or error.title)
        return await _page(request, apis, user, 422, decision_errors={change_id: message})
    return RedirectResponse(f"/roster?done={DECISIONS[decision]}", status_code=303)
