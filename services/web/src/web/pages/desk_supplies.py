"""The community's emergency supplies, those below their minimum reserve first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from web import names
from web.apis import ApisDep
from web.pages.desk_feed import every_page
from web.session import User, requires
from web.templating import render

router = APIRouter()
DutyOfficer = Annotated[User, requires("duty_officer", "community_admin")]


@router.get("/supplies", response_class=HTMLResponse)
async def supplies(request: Request, apis: ApisDep, user: DutyOfficer) -> HTMLResponse:
    """Short supplies first, the furthest below their minimum at the top, then the rest by name."""
    scope = {"community_code": user.community} if user.community else {}
    found: list[dict[str, Any]] = await every_page(apis.duty, user, "/v1/supplies", scope)
    found.sort(key=lambda s: (not s["below_minimum"], s["quantity"] - s["minimum"], s["item"]))
    short = sum(1 for s in found if s["below_minimum"])
    venues = await names.venues(apis, user)
    return render(request, "desk/supplies.html", supplies=found, short=short, venue_names=venues)
