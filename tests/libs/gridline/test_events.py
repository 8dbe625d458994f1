"""The CloudEvents envelope in Kafka binary mode, read back by us and by the CloudEvents SDK."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event
from gridline.clock import FixedClock
from gridline.events import EnvelopeError, EventData, EventSpec, derived_id, from_record
from gridline.outbox import make_event


class Sample(EventData):
    person_id: str
    count: int


SPEC = EventSpec("registry.person.v1", "gridline.registry.person.sampled.v1", Sample)
CLOCK = FixedClock(datetime(2021, 1, 12, 8, 30, tzinfo=UTC))


def sample_event() -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    event = make_event(SPEC, source="/gridline/registry", key="p-1", data=Sample(person_id="p-1", count=2), clock=CLOCK)
    return event.to_record()


def test_a_record_round_trips_through_our_reader() -> None:
    key, value, headers = sample_event()

    event = from_record("registry.person.v1", key, value, headers)

    assert event.type == SPEC.type
    assert event.data == {"person_id": "p-1", "count": 2}
    assert event.partitionkey == "p-1"
    assert event.time == CLOCK.now()


def test_any_cloudevents_sdk_reads_our_records() -> None:
    key, value, headers = sample_event()

    parsed = from_binary_event(KafkaMessage(headers=dict(headers), key=key, value=value))

    assert parsed.get_specversion() == "1.0"
    assert parsed.get_type() == SPEC.type
    assert parsed.get_source() == "/gridline/registry"
    assert parsed.get_time() == CLOCK.now()
    assert parsed.get_extension("partitionkey") == "p-1"
    assert parsed.get_data() == {"person_id": "p-1", "count": 2}


def test_an_event_caused_by_another_gets_the_same_id_every_time() -> None:
    cause = from_record("t", *sample_event())

    first = make_event(
        SPEC,
        source="/m",
        key="k",
        data=Sample(person_id="x", count=1),
        clock=CLOCK,
        cause=cause,
        consumer="monitoring.plans",
    )
    again = make_event(
        SPEC,
        source="/m",
        key="k",
        data=Sample(person_id="x", count=1),
        clock=CLOCK,
        cause=cause,
        consumer="monitoring.plans",
    )

    assert first.id == again.id == derived_id("monitoring.plans", cause.id, SPEC.type)
    assert first.causationid == cause.id
    assert first.correlationid == cause.correlationid


def test_a_published_payload_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        Sample(person_id="p", count=1, phone="13812341234")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("value", "headers", "reason"),
    [
        (b"{}", [], "missing CloudEvents headers"),
        (b"{not json", None, "not JSON"),
        (b"[1, 2]", None, "not a JSON object"),
        (b"{}", [("ce_specversion", b"0.3")], "specversion"),
        (b"{}", [("ce_time", b"yesterday")], "RFC 3339"),
    ],
)
def test_unreadable_records_raise_envelope_errors(
    value: bytes, headers: list[tuple[str, bytes]] | None, reason: str
) -> None:
    _, _, good = sample_event()
    if headers is not None and headers:
        names = {name for name, _ in headers}
        headers = [h for h in good if h[0] not in names] + headers
    with pytest.raises(EnvelopeError, match=reason):
        from_record("t", b"k", value, good if headers is None else headers)
