"""The web service: zh-CN pages for workers and residents. It owns no data; every page calls the services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from gridline import logs
from starlette.middleware.sessions import SessionMiddleware

from web import devidp, errors, signin
from web.apis import Apis
from web.pages import ROUTERS
from web.settings import WebSettings
from web.upstream import clients

SESSION_SECONDS = 8 * 3600
# Scripts and styles come from these pages only: nothing from a CDN, no inline script. Forms post to these pages
# only: sign-out leaves for the identity provider from a page of its own (`signin.signout`), not by a form.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()  # type: ignore[call-arg]
    logs.configure()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        urls = {
            "registry": settings.registry_url,
            "monitoring": settings.monitoring_url,
            "care": settings.care_url,
            "duty": settings.duty_url,
        }
        found = clients(urls, settings.upstream_timeout_seconds)
        app.state.apis = Apis(**found)
        yield
        for api in found.values():
            await api.close()

    app = FastAPI(title="Gridline 网格化服务平台", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.idp = signin.identity_provider(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie="gridline_session",
        max_age=SESSION_SECONDS,
        same_site="lax",
        https_only=settings.secure_cookies,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: object) -> Response:
        response: Response = await call_next(request)  # type: ignore[operator]
        response.headers.setdefault("Content-Security-Policy", POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    errors.install(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(signin.router)
    if settings.dev_signin_keys:
        app.include_router(devidp.router(settings))
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        apis: Apis = request.app.state.apis
        names = ("registry", "monitoring", "care", "duty")
        # Asked side by side, each briefly: a probe waits for the slowest service, not for all four in a row.
        answers = await asyncio.gather(*(getattr(apis, name).ready() for name in names))
        checks = dict(zip(names, answers, strict=True))
        return JSONResponse({"checks": checks}, status_code=200 if all(checks.values()) else 503)

    return app
