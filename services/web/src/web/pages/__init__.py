"""Every page router, in one list: the app factory includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import desk, desk_roster, desk_supplies, helper, helper_visits, home, stats

ROUTERS: list[APIRouter] = [home.router]
ROUTERS += [desk.router, desk_roster.router, desk_supplies.router, helper.router, helper_visits.router, stats.router]
