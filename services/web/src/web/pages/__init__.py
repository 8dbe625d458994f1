"""Every page router, in one list: the app factory includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import home, worker, worker_admin, worker_assist, worker_imports, worker_people

ROUTERS: list[APIRouter] = [
    home.router,
    worker.router,
    worker_people.router,
    worker_assist.router,
    worker_admin.router,
    worker_imports.router,
]
