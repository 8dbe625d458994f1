"""Assist lists (协查) pushed down by a higher level: the entries in the worker's area, each marked as worked."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.apis import ApisDep
from web.pages.worker_forms import WORKER_ROLES, field_errors, optional, text
from web.session import CsrfChecked, User, requires
from web.templating import render
from web.upstream import ApiError

router = APIRouter()
Worker = Annotated[User, requires(*WORKER_ROLES)]
ListId = Annotated[str | None, Query(alias="list", max_length=64)]
Cursor = Annotated[str | None, Query(max_length=200)]
WORKED = ("located", "not_found", "moved_away")


@router.get("/assist", response_class=HTMLResponse)
async def assist(
    request: Request, apis: ApisDep, user: Worker, list_id: ListId = None, cursor: Cursor = None, saved: str = ""
) -> HTMLResponse:
    """The lists to work through, or one list's entries in the worker's area with what became of each."""
    lists = await _lists(apis, user)
    found = None
    if list_id:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        try:
            found = await apis.registry.call(
                "GET", f"/v1/assist-lists/{quote(list_id, safe='')}", token=user.token, params=params
            )
        except ApiError as exc:
            if exc.status != 404:
                raise
            return render(request, "worker/assist.html", status_code=404, lists=lists, wanted=list_id, missing=True)
    return render(request, "worker/assist.html", lists=lists, wanted=list_id or "", found=found, saved=saved)


async def _lists(apis: ApisDep, user: User) -> list[dict[str, object]]:
    """The lists with entries in the worker's area, newest first (listAssistLists)."""
    found = await apis.registry.call("GET", "/v1/assist-lists", token=user.token, params={"limit": 50})
    lists: list[dict[str, object]] = found["items"]
    return lists


@router.post("/assist/{list_id}/{entry_id}", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def mark(
    request: Request,
    apis: ApisDep,
    user: Worker,
    list_id: Annotated[str, Path(max_length=64)],
    entry_id: Annotated[str, Path(max_length=64)],
) -> Response:
    """Record what became of an entry; the registry reports it back to the platform that sent the list."""
    form = await request.form()
    status = text(form, "status")
    body = {"status": status if status in WORKED else "", "note": optional(form, "note")}
    try:
        await apis.registry.call(
            "PATCH",
            f"/v1/assist-lists/{quote(list_id, safe='')}/entries/{quote(entry_id, safe='')}",
            token=user.token,
            json={k: v for k, v in body.items() if v is not None},
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        message = "；".join(field_errors(exc).values())
        return render(request, "error.html", status_code=exc.status, title="未能保存", detail=message)
    query = urlencode({"list": list_id, "saved": entry_id})
    return RedirectResponse(f"/assist?{query}#entry-{quote(entry_id)}", status_code=303)
