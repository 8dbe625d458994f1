"""OpenTelemetry tracing: W3C context carried from HTTP requests through Kafka headers to handlers.

The exporter is configured only by the standard OTEL_* variables; with none set, spans are made (so trace
ids appear in logs and on events) but nothing is exported, and database commands get no spans of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind

from gridline.events import Event, Headers

_configured = False


def setup_tracing(service_name: str) -> None:
    """Install a tracer provider once per process; export only when OTEL_* asks for it."""
    global _configured
    if _configured:
        return
    _configured = True
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    wants_export = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if wants_export and os.environ.get("OTEL_TRACES_EXPORTER", "otlp") != "none":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        # A span per database command is worth its cost only where someone reads the traces.
        from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

        PymongoInstrumentor().instrument()
    trace.set_tracer_provider(provider)


tracer = trace.get_tracer("gridline")


def current_context_headers() -> dict[str, str]:
    """The W3C `traceparent`/`tracestate` of the current span, to be stored with an outgoing event."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def publish_span(event: Event, topic: str) -> Iterator[dict[str, str]]:
    """A PRODUCER span, child of the context the event was created in; yields headers naming this span."""
    parent = propagate.extract({k: v for k, v in _trace_carrier(event).items() if v})
    with tracer.start_as_current_span(
        f"{topic} publish",
        context=parent,
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.message.id": event.id,
            "cloudevents.event_type": event.type,
        },
    ):
        yield current_context_headers()


@contextmanager
def process_span(event: Event, group: str) -> Iterator[None]:
    """A CONSUMER span continuing the trace carried in the record's headers."""
    parent = propagate.extract({k: v for k, v in _trace_carrier(event).items() if v})
    token = context.attach(parent)
    try:
        with tracer.start_as_current_span(
            f"{event.topic} process",
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.consumer.group.name": group,
                "messaging.message.id": event.id,
                "cloudevents.event_type": event.type,
            },
        ):
            yield
    finally:
        context.detach(token)


def _trace_carrier(event: Event) -> dict[str, str | None]:
    return {"traceparent": event.traceparent, "tracestate": event.tracestate}


def headers_with_trace(headers: Headers, trace_headers: dict[str, str]) -> Headers:
    kept = [(k, v) for k, v in headers if k not in ("traceparent", "tracestate")]
    return kept + [(k, v.encode()) for k, v in trace_headers.items()]


@contextmanager
def process_batch_span(events: list[Event], group: str) -> Iterator[None]:
    """One CONSUMER span for a batch of records, linked to the trace each record carries (OTel's batch shape)."""
    links = []
    for event in events:
        parent = trace.get_current_span(propagate.extract({k: v for k, v in _trace_carrier(event).items() if v}))
        if parent.get_span_context().is_valid:
            links.append(trace.Link(parent.get_span_context()))
    with tracer.start_as_current_span(
        f"{events[0].topic} process",
        kind=SpanKind.CONSUMER,
        links=links,
        attributes={
            "messaging.system": "kafka",
            "messaging.consumer.group.name": group,
            "messaging.batch.message_count": len(events),
            "cloudevents.event_type": events[0].type,
        },
    ):
        yield
