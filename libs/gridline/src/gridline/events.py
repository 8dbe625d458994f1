"""CloudEvents 1.0 envelope in Kafka binary content mode.

The record value is the event's JSON data; the attributes travel as `ce_*` headers, so any CloudEvents
SDK reads our events. Event ids caused by other events are derived from the cause, so a redelivered
cause produces the very same output event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

SPEC_VERSION = "1.0"
TYPE_PREFIX = "gridline"
CONTENT_TYPE = "application/json"
_DERIVED_NS = uuid.UUID("6f1c3c52-4a43-4c55-9d0e-7b1c1c6e2a10")

Headers = list[tuple[str, bytes]]


class EventData(BaseModel):
    """Base of every published payload: the producer's own contract, strict on the way out."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class InboundData(BaseModel):
    """Base of every consumed payload: a consumer's own copy, tolerant of fields it does not know."""

    model_config = ConfigDict(extra="ignore", frozen=True)


DataModel = type[EventData]


@dataclass(frozen=True)
class EventSpec:
    """One kind of event a service publishes: its topic, CloudEvents type and payload model."""

    topic: str
    type: str
    data_model: DataModel
    summary: str = ""


def event_type(service: str, aggregate: str, fact: str, major: int = 1) -> str:
    return f"{TYPE_PREFIX}.{service}.{aggregate}.{fact}.v{major}"


def derived_id(consumer: str, cause_id: str, output_type: str) -> str:
    """The id of an event (or effect) caused by another event: stable across redeliveries."""
    return str(uuid.uuid5(_DERIVED_NS, f"{consumer}|{cause_id}|{output_type}"))


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)


def loads(raw: bytes | str) -> Any:
    return orjson.loads(raw)


@dataclass(frozen=True)
class Event:
    """A CloudEvent as it is kept in the outbox and carried on Kafka."""

    id: str
    type: str
    source: str
    subject: str
    partitionkey: str
    time: datetime
    data: dict[str, Any]
    topic: str = ""
    correlationid: str | None = None
    causationid: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        """The form kept inside the aggregate's document until the relay has published it."""
        doc = {k: v for k, v in self.__dict__.items() if v is not None and k != "extra"}
        doc["time"] = self.time
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Event:
        fields: dict[str, Any] = {k: doc.get(k) for k in cls.__dataclass_fields__ if k != "extra"}
        time = fields["time"]
        if isinstance(time, datetime) and time.tzinfo is None:
            fields["time"] = time.replace(tzinfo=UTC)
        return cls(**fields)

    def to_record(self) -> tuple[bytes, bytes, Headers]:
        """Kafka key, value and headers in CloudEvents binary content mode."""
        headers: Headers = [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_time", _rfc3339(self.time).encode()),
            ("ce_subject", self.subject.encode()),
            ("ce_partitionkey", self.partitionkey.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        optional = {
            "ce_correlationid": self.correlationid,
            "ce_causationid": self.causationid,
            "traceparent": self.traceparent,
            "tracestate": self.tracestate,
        }
        headers += [(k, v.encode()) for k, v in optional.items() if v]
        return self.partitionkey.encode(), dumps(self.data), headers


class EnvelopeError(ValueError):
    """A record that is not a readable CloudEvent: it can never be handled, so it is a dead letter."""


_REQUIRED = ("ce_specversion", "ce_id", "ce_source", "ce_type")


def from_record(topic: str, key: bytes | None, value: bytes | None, headers: Headers) -> Event:
    """Read a Kafka record in binary content mode; raise EnvelopeError when it is not one."""
    attrs = {}
    for name, raw in headers:
        try:
            attrs[name] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError as exc:
            raise EnvelopeError(f"header {name} is not UTF-8") from exc
    missing = [name for name in _REQUIRED if not attrs.get(name)]
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
    if attrs["ce_specversion"] != SPEC_VERSION:
        raise EnvelopeError(f"unsupported specversion {attrs['ce_specversion']!r}")
    try:
        data = loads(value or b"")
    except orjson.JSONDecodeError as exc:
        raise EnvelopeError(f"value is not JSON: {str(exc)[:120]}") from exc
    if not isinstance(data, dict):
        raise EnvelopeError("event data is not a JSON object")
    return Event(
        id=attrs["ce_id"],
        type=attrs["ce_type"],
        source=attrs["ce_source"],
        subject=attrs.get("ce_subject", ""),
        partitionkey=attrs.get("ce_partitionkey") or (key or b"").decode(errors="replace"),
        time=_parse_time(attrs.get("ce_time")),
        data=data,
        topic=topic,
        correlationid=attrs.get("ce_correlationid"),
        causationid=attrs.get("ce_causationid"),
        traceparent=attrs.get("traceparent"),
        tracestate=attrs.get("tracestate"),
    )


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_time(raw: str | None) -> datetime:
    if not raw:
        return datetime.now(UTC)
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeError(f"ce_time is not RFC 3339: {raw[:40]!r}") from exc
