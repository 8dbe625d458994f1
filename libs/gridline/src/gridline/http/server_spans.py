"""One OpenTelemetry SERVER span per HTTP request, continuing the caller's W3C trace.

Plain ASGI, after the routing: the span is named by the route template the router matched and left in the
scope (`POST /plans/{plan_id}/checkins`), as the HTTP semantic conventions ask, so no route is matched a
second time to name it. Only the caller's `traceparent`, `tracestate` and `baggage` headers are read, and
the request attributes are the few the conventions require. The contrib ASGI middleware this replaces
matched every route again and collected a dozen attributes per request: a tenth of a check-in's time in
the service, as much as the check-in's own code.
"""

from __future__ import annotations

from opentelemetry import context, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Probes and scrapes, many a minute, would bury the requests people make.
UNTRACED = frozenset({"/healthz", "/readyz", "/metrics"})


class ServerSpans:
    def __init__(self, app: ASGIApp, *, tracer: trace.Tracer | None = None) -> None:
        self.app = app
        self.tracer = tracer or trace.get_tracer("gridline.http")
        self.fields = frozenset(f.encode() for f in propagate.get_global_textmap().fields)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        span = self.tracer.start_span(
            method,
            context=self._caller(scope),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"], "url.scheme": scope["scheme"]},
        )
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = context.attach(trace.set_span_in_context(span))
        try:
            await self.app(scope, receive, sending)
        except BaseException as error:
            span.record_exception(error)
            raise
        finally:
            context.detach(token)
            self._finish(span, scope, method, status)

    def _caller(self, scope: Scope) -> context.Context:
        """The caller's context, and nothing else: a request that carries none starts a trace of its own,
        whatever span happens to be current where the server runs."""
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"] if k in self.fields}
        return propagate.extract(carrier) if carrier else context.Context()

    @staticmethod
    def _finish(span: trace.Span, scope: Scope, method: str, status: int) -> None:
        route = getattr(scope.get("route"), "path", None)
        if route:
            span.update_name(f"{method} {route}")
            span.set_attribute("http.route", route)
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR))
        span.end()
