"""JSON logs that carry the trace id, and never a payload: only ids, types and capped error text."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import orjson
from opentelemetry import trace

_CONTEXT_FIELDS = ("event_id", "event_type", "topic", "partition", "offset", "group", "aggregate_id")
MAX_ERROR_CHARS = 300


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage()[:1000],
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["trace_id"] = format(span.trace_id, "032x")
            line["span_id"] = format(span.span_id, "016x")
        for name in _CONTEXT_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info and record.exc_info[1] is not None:
            line["error"] = error_text(record.exc_info[1])
        return orjson.dumps(line).decode()


def error_text(exc: BaseException) -> str:
    """The exception's class and capped message: enough to act on, too short to leak a document."""
    return f"{type(exc).__name__}: {str(exc)[:MAX_ERROR_CHARS]}"


def configure(level: str = "INFO") -> None:
    root = logging.getLogger()
    # Replace only our own handler: others (a test's log capture, an operator's shipper) stay attached.
    root.handlers[:] = [h for h in root.handlers if not isinstance(h.formatter, JsonFormatter)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.getLevelName(level):
        root.setLevel(level)
    for noisy in ("aiokafka", "pymongo", "uvicorn.access", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
