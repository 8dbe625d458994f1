"""A community admin's pages: the grids and their managers, and the household screenings recorded."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.apis import Apis, ApisDep
from web.pages.worker_forms import community_grids, field_errors, key_header, new_key, optional, text, without_empty
from web.session import CsrfChecked, User, requires
from web.templating import render
from web.upstream import ApiError

router = APIRouter()
Admin = Annotated[User, requires("community_admin")]
GridId = Annotated[str, Path(min_length=1, max_length=64)]
MANAGER_FIELDS = ("name", "manager_name", "manager_phone", "manager_work_phone")


@router.get("/grids", response_class=HTMLResponse)
async def grids(request: Request, apis: ApisDep, user: Admin, saved: str = "") -> HTMLResponse:
    """The community's grids and managers, to check and change."""
    return await _grids(request, apis, user, saved=saved)


async def _grids(request: Request, apis: Apis, user: User, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The community's grids with their managers, a form to set up one more, and what was just refused."""
    context = {"new_values": {}, "new_errors": {}, "editing": "", "edit_values": {}, "edit_errors": {}, **context}
    return render(
        request,
        "worker/grids.html",
        status_code=status_code,
        grids=await community_grids(apis, user),
        key=new_key(),
        **context,
    )


@router.post("/grids", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def create_grid(request: Request, apis: ApisDep, user: Admin) -> Response:
    """Set up a grid; a refusal comes back next to the field it names."""
    form = await request.form()
    values = {name: text(form, name) for name in MANAGER_FIELDS}
    body = without_empty({"community_code": user.community or text(form, "community_code"), **values})
    try:
        created = await apis.registry.call("POST", "/v1/grids", token=user.token, json=body, headers=key_header(form))
    except ApiError as exc:
        if exc.status not in (404, 409, 422):
            raise
        return await _grids(request, apis, user, exc.status, new_values=values, new_errors=field_errors(exc))
    return RedirectResponse(f"/grids?{urlencode({'saved': created['name']})}", status_code=303)


@router.post("/grids/{grid_id}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def update_grid(request: Request, apis: ApisDep, user: Admin, grid_id: GridId) -> Response:
    """Change a grid's name or manager; a change someone made meanwhile is refused (the version sent)."""
    form = await request.form()
    values = {name: text(form, name) for name in MANAGER_FIELDS}
    body: dict[str, Any] = {k: v for k, v in values.items() if v and k != "manager_work_phone"}
    body["manager_work_phone"] = values["manager_work_phone"] or None
    version = text(form, "version")
    if version.isdigit():
        body["version"] = int(version)
    try:
        changed = await apis.registry.call("PATCH", f"/v1/grids/{quote(grid_id, safe='')}", token=user.token, json=body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        errors = field_errors(exc) if exc.status == 422 else {"": "该网格刚被他人修改，请刷新后重试。"}
        return await _grids(request, apis, user, exc.status, editing=grid_id, edit_values=values, edit_errors=errors)
    return RedirectResponse(f"/grids?{urlencode({'saved': changed['name']})}", status_code=303)


GridFilter = Annotated[str | None, Query(max_length=64)]
Cursor = Annotated[str | None, Query(max_length=200)]


@router.get("/screenings", response_class=HTMLResponse)
async def screenings(
    request: Request, apis: ApisDep, user: Admin, grid: GridFilter = None, cursor: Cursor = None, saved: str = ""
) -> HTMLResponse:
    """The screenings recorded in the admin's community."""
    return await _screenings(request, apis, user, grid=grid, cursor=cursor, saved=saved)


async def _screenings(
    request: Request,
    apis: Apis,
    user: User,
    status_code: int = 200,
    *,
    grid: str | None = None,
    cursor: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """The screenings recorded in the community, by grid, with a form to record one more."""
    params = without_empty({"grid_id": grid, "cursor": cursor, "limit": 50})
    found = await apis.registry.call("GET", "/v1/screenings", token=user.token, params=params)
    grids = await community_grids(apis, user)
    context = {"values": {"method": "door_to_door", "grid_id": grid or ""}, "errors": {}, "saved": "", **context}
    return render(
        request,
        "worker/screenings.html",
        status_code=status_code,
        screenings=found,
        grids=grids,
        grid_names={g["id"]: g["name"] for g in grids},
        grid=grid or "",
        key=new_key(),
        **context,
    )


@router.post("/screenings", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def record_screening(request: Request, apis: ApisDep, user: Admin) -> Response:
    """Record a household visited; the registry checks it and answers with field errors."""
    form = await request.form()
    values = {name: text(form, name) for name in ("grid_id", "household", "method", "note")}
    body = without_empty({"community_code": user.community or "", **values, "note": optional(form, "note")})
    try:
        await apis.registry.call("POST", "/v1/screenings", token=user.token, json=body, headers=key_header(form))
    except ApiError as exc:
        if exc.status not in (404, 422):
            raise
        return await _screenings(request, apis, user, exc.status, values=values, errors=field_errors(exc))
    query = urlencode({"grid": values["grid_id"], "saved": values["household"]})
    return RedirectResponse(f"/screenings?{query}", status_code=303)
