"""A grid worker's day: the grid's worklist (who has checked in, who has not, NAT due) and two-tap check-ins."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.apis import Apis, ApisDep
from web.pages.worker_forms import (
    WORKER_ROLES,
    community_grids,
    field_errors,
    key_header,
    new_key,
    optional,
    strings,
    text,
)
from web.session import CsrfChecked, User, requires
from web.templating import render
from web.upstream import ApiError

router = APIRouter()
Worker = Annotated[User, requires(*WORKER_ROLES)]
STATES = {"all": "全部", "pending": "未打卡", "done": "已打卡", "nat_due": "今日核酸"}
GridId = Annotated[str | None, Query(max_length=64)]
State = Annotated[str, Query(pattern="^(all|pending|done|nat_due)$")]
Cursor = Annotated[str | None, Query(max_length=200)]


@router.get("/worklist", response_class=HTMLResponse)
async def worklist(
    request: Request,
    apis: ApisDep,
    user: Worker,
    grid: GridId = None,
    state: State = "all",
    cursor: Cursor = None,
    saved: str = "",
) -> HTMLResponse:
    """Today's list for the chosen grid; without a grid, the grids of the worker's community to pick from."""
    grids = await community_grids(apis, user)
    if not grid and user.jurisdiction.startswith("grid:"):
        grid = user.jurisdiction.removeprefix("grid:")  # a token for one grid: its worklist, nothing to pick
    if not grid and len(grids) == 1:
        grid = grids[0]["id"]
    if not grid:
        return render(request, "worker/grids_pick.html", grids=grids)
    found = await _worklist(apis, user, grid, state, cursor)
    return render(
        request,
        "worker/worklist.html",
        grid=_grid_named(grids, grid),
        grids=grids,
        worklist=found,
        state=state,
        states=STATES,
        saved=saved,
        key=new_key,
    )


async def _worklist(apis: Apis, user: User, grid: str, state: str, cursor: str | None) -> dict[str, Any]:
    """The grid's worklist from monitoring, one page of up to 200 people, as the user may see it."""
    params = {"state": state, "limit": 200, **({"cursor": cursor} if cursor else {})}
    found: dict[str, Any] = await apis.monitoring.call(
        "GET", f"/v1/grids/{quote(grid, safe='')}/worklist", token=user.token, params=params
    )
    return found


def _grid_named(grids: list[dict[str, Any]], grid_id: str) -> dict[str, Any]:
    """The picked grid's record for its name; the id alone when it is not among the user's grids."""
    for found in grids:
        if found["id"] == grid_id:
            return found
    return {"id": grid_id, "name": "所选网格"}


@router.post("/worklist/checkin", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def check_in(request: Request, apis: ApisDep, user: Worker) -> Response:
    """One tap saves: today's next slot for the plan, under the form's own key so a double tap is one check-in."""
    form = await request.form()
    plan_id, grid, name = text(form, "plan_id"), text(form, "grid"), text(form, "name")
    body = _checkin_body(form)
    try:
        await apis.monitoring.call(
            "POST",
            f"/v1/plans/{quote(plan_id, safe='')}/checkins",
            token=user.token,
            json=body,
            headers=key_header(form),
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        values = {**body, "temperature_c": text(form, "temperature_c")}
        return render(
            request,
            "worker/checkin.html",
            status_code=exc.status,
            item={"plan_id": plan_id, "name_masked": name, "nat_due": bool(optional(form, "nat_due"))},
            grid=grid,
            values=values,
            errors=field_errors(exc),
            key=new_key(),
        )
    query = urlencode({"grid": grid, "saved": name or "该人员"})
    return RedirectResponse(f"/worklist?{query}", status_code=303)


def _checkin_body(form: Any) -> dict[str, Any]:
    """The recordCheckin body: what the worker saw, with the NAT result when one was picked."""
    body = {
        "method": text(form, "method") or "visit",
        "temperature_c": _number(optional(form, "temperature_c")),
        "health_code": text(form, "health_code") or "green",
        "symptoms": strings(form, "symptoms"),
    }
    if optional(form, "nat_result"):
        body["nat_result"] = text(form, "nat_result")
    return body


def _number(value: str | None) -> float | str | None:
    """A typed temperature as a number; anything else is passed on for the service to name the field."""
    if value is None:
        return None
    try:
        return float(value.replace("，", ".").replace(",", "."))
    except ValueError:
        return value
