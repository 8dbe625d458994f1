"""The four services' APIs, as one request dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from web.upstream import Api


@dataclass(frozen=True)
class Apis:
    registry: Api
    monitoring: Api
    care: Api
    duty: Api


def apis(request: Request) -> Apis:
    found: Apis = request.app.state.apis
    return found


def resident_address(request: Request) -> str | None:
    """The resident's own address, passed on so the services' per-caller limits count them, not these pages."""
    return request.client.host if request.client else None


ApisDep = Annotated[Apis, Depends(apis)]
