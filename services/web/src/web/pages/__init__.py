"""Every page router, in one list: the app factory includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import home, resident_book, resident_checkin, resident_help

ROUTERS: list[APIRouter] = [home.router, resident_checkin.router, resident_help.router, resident_book.router]
