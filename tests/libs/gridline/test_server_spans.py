"""The HTTP server span: named by the matched route, continuing the caller's trace, current in the handler."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI
from gridline.http.server_spans import ServerSpans
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{CALLER_TRACE}-b7ad6b7169203331-01"


def _app(exporter: InMemorySpanExporter) -> FastAPI:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    router = APIRouter(prefix="/plans")

    @router.get("/{plan_id}")
    async def plan(plan_id: str) -> dict[str, str]:
        return {"plan": plan_id, "trace": format(trace.get_current_span().get_span_context().trace_id, "032x")}

    @router.get("/{plan_id}/broken")
    async def broken(plan_id: str) -> None:
        raise RuntimeError("broken " + plan_id)

    app = FastAPI()
    app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(ServerSpans, tracer=provider.get_tracer("test"))
    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _only(exporter: InMemorySpanExporter) -> ReadableSpan:
    spans = exporter.get_finished_spans()
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


async def test_a_request_continues_the_callers_trace_under_its_route_template() -> None:
    exporter = InMemorySpanExporter()
    async with _client(_app(exporter)) as client:
        response = await client.get("/plans/p-1", headers={"traceparent": TRACEPARENT})
    assert response.json() == {"plan": "p-1", "trace": CALLER_TRACE}
    span = _only(exporter)
    assert span.name == "GET /plans/{plan_id}"
    assert span.kind is SpanKind.SERVER
    assert span.parent is not None
    assert span.parent.span_id == int("b7ad6b7169203331", 16)
    assert span.attributes == {
        "http.request.method": "GET",
        "url.path": "/plans/p-1",
        "url.scheme": "http",
        "http.route": "/plans/{plan_id}",
        "http.response.status_code": 200,
    }
    assert span.status.status_code is StatusCode.UNSET


async def test_a_request_without_a_caller_starts_a_trace_and_an_unknown_path_keeps_the_method_as_name() -> None:
    exporter = InMemorySpanExporter()
    async with _client(_app(exporter)) as client:
        assert (await client.get("/nowhere")).status_code == 404
    span = _only(exporter)
    assert span.parent is None
    assert span.name == "GET"
    assert span.attributes is not None
    assert "http.route" not in span.attributes
    assert span.attributes["http.response.status_code"] == 404


async def test_a_server_error_marks_the_span_failed_with_the_exception() -> None:
    exporter = InMemorySpanExporter()
    async with _client(_app(exporter)) as client:
        assert (await client.get("/plans/p-1/broken")).status_code == 500
    span = _only(exporter)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "500"
    assert [e.name for e in span.events] == ["exception"]


async def test_probes_make_no_spans() -> None:
    exporter = InMemorySpanExporter()
    async with _client(_app(exporter)) as client:
        assert (await client.get("/healthz")).status_code == 200
    assert exporter.get_finished_spans() == ()
