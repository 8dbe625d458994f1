"""OpenTelemetry tracing: W3C context carried from HTTP requests through Kafka headers to handlers.

The exporter is configured only by the standard OTEL_* variables; with none set, spans are made (so trace
ids appear in logs and on events) but nothing is exported, and database commands get no spans of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind

from gridline.events import Event

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
def publish_batch_span(events: Sequence[Event]) -> Iterator[None]:
    """One PRODUCER span for a batch the relay sends, linked to the context each event was created in.

    Each record keeps, in its headers, the context its event was created in (the request or handler that
    wrote it), so a consumer's span continues that trace. A span of its own for every record cost the
    relay about as much time as the send itself.
    """
    with tracer.start_as_current_span(
        "publish",
        kind=SpanKind.PRODUCER,
        links=_links(events),
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.batch.message_count": len(events),
        },
    ):
        yield


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


@contextmanager
def process_batch_span(events: list[Event], group: str) -> Iterator[None]:
    """One CONSUMER span for a batch of records, linked to the trace each record carries (OTel's batch shape)."""
    with tracer.start_as_current_span(
        f"{events[0].topic} process",
        kind=SpanKind.CONSUMER,
        links=_links(events),
        attributes={
            "messaging.system": "kafka",
            "messaging.consumer.group.name": group,
            "messaging.batch.message_count": len(events),
            "cloudevents.event_type": events[0].type,
        },
    ):
        yield


def _links(events: Sequence[Event]) -> list[trace.Link]:
    """Links to the context each event carries (those that carry one)."""
    links = []
    for event in events:
        if not event.traceparent:
            continue
        parent = trace.get_current_span(propagate.extract({k: v for k, v in _trace_carrier(event).items() if v}))
        if parent.get_span_context().is_valid:
            links.append(trace.Link(parent.get_span_context()))
    return links
