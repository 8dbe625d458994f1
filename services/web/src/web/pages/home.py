"""The start page, and the public board a resident reaches from the QR code on the notice board."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from web import names
from web.apis import ApisDep, resident_address
from web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/board", response_class=HTMLResponse)
async def board(request: Request, apis: ApisDep, community: Annotated[str, Query(pattern=r"^\d{12}$")]) -> HTMLResponse:
    found = await apis.duty.call(
        "GET", "/v1/public/board", params={"community_code": community}, forwarded_for=resident_address(request)
    )
    return render(request, "board.html", board=found, community_name=await names.division(apis, community))
