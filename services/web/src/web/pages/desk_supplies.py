"""The community's emergency supplies, those below their minimum reserve first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from web.apis import ApisDep
from web.session import User, requires
from web.templating import render

router = APIRouter()
DutyOfficer = Annotated[User, requires("duty_officer", "community_admin")]
MAX_PAGES = 5


@router.get("/supplies", response_class=HTMLResponse)
async def supplies(request: Request, apis: ApisDep, user: DutyOfficer) -> HTMLResponse:
    params: dict[str, Any] = {"limit": 200}
    if user.community:
        params["community_code"] = user.community
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page = await apis.duty.call("GET", "/v1/supplies", token=user.token, params=params)
        found.extend(page["items"])
        if not page.get("next_cursor"):
            break
        params["cursor"] = page["next_cursor"]
    found.sort(key=lambda s: (not s["below_minimum"], s["quantity"] - s["minimum"], s["item"]))
    short = sum(1 for s in found if s["below_minimum"])
    return render(request, "desk/supplies.html", supplies=found, short=short)
