"""Every page router, in one list: the app factory includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import home

ROUTERS: list[APIRouter] = [home.router]
