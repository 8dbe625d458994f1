"""Every page router, in one list: the app factory includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import (
    ack,
    desk,
    desk_roster,
    desk_supplies,
    helper,
    helper_visits,
    home,
    resident_book,
    resident_checkin,
    resident_help,
    stats,
    worker,
    worker_admin,
    worker_assist,
    worker_imports,
    worker_people,
)

ROUTERS: list[APIRouter] = [
    home.router,
    resident_checkin.router,
    resident_help.router,
    resident_book.router,
    worker.router,
    worker_people.router,
    worker_assist.router,
    worker_admin.router,
    worker_imports.router,
    desk.router,
    ack.router,
    desk_roster.router,
    desk_supplies.router,
    helper.router,
    helper_visits.router,
    stats.router,
]
