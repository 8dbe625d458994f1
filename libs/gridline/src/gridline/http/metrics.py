"""Prometheus metrics, one registry per app (several apps may share a process in tests)."""

from __future__ import annotations

import time

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "http_request_duration_seconds",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.published = Counter("events_published_total", "events published", ["type"], registry=self.registry)
        self.consumed = Counter("events_consumed_total", "events handled", ["group", "outcome"], registry=self.registry)
        self.service = service

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class RequestTimer:
    """Times each HTTP request by method, route template and status.

    Plain ASGI: the route is the one the router matched and left in the scope, so no route is matched twice
    and no request pays for a task of its own (as `@app.middleware("http")` would make it).
    """

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], route, str(status)).observe(time.perf_counter() - started)


def install(app: FastAPI, metrics: Metrics) -> None:
    app.add_middleware(RequestTimer, metrics=metrics)
