"""Every page router, in one list: the app factory includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import desk, home, stats

ROUTERS: list[APIRouter] = [home.router]
ROUTERS += [desk.router, stats.router]
