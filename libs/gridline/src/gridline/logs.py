"""JSON logs that carry the trace id, and never a payload: only ids, types and capped error text."""

from __future__ import annotations

import logging
import sys
import time
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
    handler.addFilter(ClientChatter())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.getLevelName(level):
        root.setLevel(level)
    for noisy in ("aiokafka", "pymongo", "uvicorn.access", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class ClientChatter(logging.Filter):
    """At most one line per level per `every` seconds from the Kafka client.

    While the broker is away, aiokafka reports every reconnect attempt of every client, dozens of lines a
    second; one line every few seconds tells an operator the same.
    """

    def __init__(self, *, every: float = 10.0, prefixes: tuple[str, ...] = ("aiokafka",)) -> None:
        super().__init__()
        self._every = every
        self._prefixes = prefixes
        self._last: dict[tuple[str, object], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self._prefixes):
            return True
        key = (record.name.partition(".")[0], record.levelno)  # the whole client: one line per window
        now = time.monotonic()
        if now - self._last.get(key, -self._every) < self._every:
            return False
        self._last[key] = now
        return True


class Throttled:
    """Warnings about one ongoing condition (the broker is down), at most one per `every` seconds.

    An outage lasting minutes then leaves a line every few seconds with how many were held back, and one
    line when it ends, instead of a line per retry.
    """

    def __init__(self, logger: logging.Logger, *, every: float = 10.0) -> None:
        self._log = logger
        self._every = every
        self._last = 0.0
        self._held = 0
        self._active = False

    def warning(self, message: str, *args: object) -> None:
        now = time.monotonic()
        self._active = True
        if now - self._last < self._every:
            self._held += 1
            return
        suffix = f" ({self._held} more since the last report)" if self._held else ""
        self._log.warning(message + suffix, *args)
        self._last, self._held = now, 0

    def recovered(self, message: str) -> None:
        if self._active:
            self._log.warning(message)
            self._active, self._held, self._last = False, 0, 0.0
