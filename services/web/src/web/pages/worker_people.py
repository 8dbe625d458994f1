"""Registering a person, and a person's page: masked as the registry returns it, a reveal for a stated purpose,
and a self check-in QR code for the person's monitoring plan."""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

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
    without_empty,
)
from web.session import CsrfChecked, User, requires
from web.templating import render
from web.upstream import ApiError

router = APIRouter()
Worker = Annotated[User, requires(*WORKER_ROLES)]
PersonId = Annotated[str, Path(min_length=1, max_length=64)]
# A revealed value is shown once, in the answer to the reveal: never cached, never kept by these pages.
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/people/new", response_class=HTMLResponse)
async def new_person(request: Request, apis: ApisDep, user: Worker) -> HTMLResponse:
    """An empty registration form, in the worker's community, with an ID card preselected."""
    grids = await community_grids(apis, user)
    values = {"community_code": user.community or "", "document.type": "prc_id", "episodes.0.health_code": "green"}
    return _registration(request, grids, values, {})


@router.post("/people/new", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def register(request: Request, apis: ApisDep, user: Worker) -> Response:
    """Send the registration; a refusal comes back next to each field it names, with every value kept."""
    form = await request.form()
    try:
        person = await apis.registry.call(
            "POST",
            "/v1/persons",
            token=user.token,
            json=_person_body(form),
            headers=key_header(form),
        )
    except ApiError as exc:
        if exc.status not in (404, 409, 422):
            raise
        errors = field_errors(exc)
        if exc.status == 409:
            errors = {"document.number": exc.detail or "该证件号码已登记"}
        elif exc.status == 404:  # the only thing a registration looks up is its grid
            errors = {"grid_id": "所选网格不存在或不在您的辖区，请重新选择"}
        grids = await community_grids(apis, user)
        values = {k: v for k, v in form.multi_items() if k not in ("csrf", "key")}
        values["special_groups"] = strings(form, "special_groups")  # type: ignore[assignment]
        return _registration(request, grids, values, errors, status=exc.status)
    return RedirectResponse(f"/people/{person['id']}?registered=1", status_code=303)


def _registration(
    request: Request, grids: list[dict[str, Any]], values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    """The registration form with the values typed, the errors by field, and a fresh retry key."""
    return render(
        request,
        "worker/person_new.html",
        status_code=status,
        grids=grids,
        values=values,
        errors=errors,
        key=new_key(),
    )


def _person_body(form: FormData) -> dict[str, Any]:
    """The registerPerson body from the form's fields, named by the API's own paths."""
    episode = without_empty(
        {
            "category": optional(form, "episodes.0.category"),
            "arrival_date": optional(form, "episodes.0.arrival_date"),
            "origin_division_code": optional(form, "episodes.0.origin_division_code"),
            "health_code": optional(form, "episodes.0.health_code"),
        }
    )
    guardian = without_empty(
        {
            "name": optional(form, "guardian.name"),
            "phone": optional(form, "guardian.phone"),
            "relation": optional(form, "guardian.relation"),
        }
    )
    body = {
        "name": text(form, "name"),
        "document": {"type": text(form, "document.type") or "prc_id", "number": text(form, "document.number")},
        "phone": optional(form, "phone"),
        "community_code": text(form, "community_code"),
        "grid_id": text(form, "grid_id"),
        "address": optional(form, "address"),
        "special_groups": strings(form, "special_groups"),
        "episodes": [episode] if episode else [],
        "birth_date": optional(form, "birth_date"),
        "guardian": guardian or None,
    }
    return without_empty(body) | {"name": body["name"], "document": body["document"]}


@router.get("/people/{person_id}", response_class=HTMLResponse)
async def person_page(request: Request, apis: ApisDep, user: Worker, person_id: PersonId) -> HTMLResponse:
    """A person's page; just after registering, it says so."""
    return await _person(request, apis, user, person_id, registered=request.query_params.get("registered") == "1")


async def _person(
    request: Request, apis: Apis, user: User, person_id: str, status_code: int = 200, **shown: Any
) -> HTMLResponse:
    """The person as the registry returns it (masked), with their monitoring plan, and whatever was just done."""
    person = await apis.registry.call("GET", f"/v1/persons/{quote(person_id, safe='')}", token=user.token)
    plans = await apis.monitoring.call(
        "GET", "/v1/plans", token=user.token, params={"person_id": person_id, "status": "active", "limit": 5}
    )
    grid = await apis.registry.call("GET", f"/v1/grids/{quote(person['grid_id'], safe='')}", token=user.token)
    audit = await _audit(apis, user, person_id) if user.has("community_admin") else None
    context = {"reveal_values": {}, "reveal_errors": {}, "revealed": None, "link": None, **shown}
    response = render(
        request,
        "worker/person.html",
        status_code=status_code,
        person=person,
        grid=grid,
        audit=audit,
        plan=(plans["items"] or [None])[0],
        **context,
    )
    response.headers.update(NO_STORE)
    return response


async def _audit(apis: Apis, user: User, person_id: str) -> list[dict[str, Any]]:
    """Who saw the person's full data, and why (an admin's check on reveals), in the order it happened."""
    found = await apis.registry.call(
        "GET", f"/v1/persons/{quote(person_id, safe='')}/audit", token=user.token, params={"limit": 50}
    )
    entries: list[dict[str, Any]] = found["items"]
    return entries


@router.post("/people/{person_id}/reveal", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def reveal(request: Request, apis: ApisDep, user: Worker, person_id: PersonId) -> HTMLResponse:
    """Ask the registry to show fields in full for the stated purpose (it audits every reveal); shown once."""
    form = await request.form()
    values = {"purpose": text(form, "purpose"), "detail": text(form, "detail"), "fields": strings(form, "fields")}
    try:
        revealed = await apis.registry.call(
            "POST", f"/v1/persons/{quote(person_id, safe='')}/reveal", token=user.token, json=without_empty(values)
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = field_errors(exc)
        return await _person(request, apis, user, person_id, 422, reveal_values=values, reveal_errors=errors)
    return await _person(request, apis, user, person_id, revealed=revealed)


@router.post("/people/{person_id}/qr", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def self_checkin_qr(request: Request, apis: ApisDep, user: Worker, person_id: PersonId) -> HTMLResponse:
    """Issue a signed self check-in link for the person's active plan, with its QR code to show or print."""
    form = await request.form()
    link = await apis.monitoring.call(
        "POST", f"/v1/plans/{quote(text(form, 'plan_id'), safe='')}/self-checkin-links", token=user.token, json={}
    )
    link["qr_svg_src"] = "data:image/svg+xml;base64," + base64.b64encode(link["qr_svg"].encode()).decode()
    return await _person(request, apis, user, person_id, link=link)
