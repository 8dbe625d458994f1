"""Instants, days and times of day are read only as the schema writes them, never as seconds since 1970."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from gridline.http.bounds import AwareInstant, CalendarDay, ClockTime, Instant
from pydantic import TypeAdapter, ValidationError


@pytest.mark.parametrize("kind", [AwareInstant, Instant])
@pytest.mark.parametrize("written", ["0.5", "1700000000", 0.5, 1700000000, True, "noon"])
def test_an_instant_written_as_a_number_is_refused(kind: Any, written: object) -> None:
    with pytest.raises(ValidationError, match="an instant is written like 2021-01-12T08:00:00"):
        TypeAdapter(kind).validate_python(written)


def test_an_instant_with_its_offset_or_already_read_is_taken() -> None:
    at = TypeAdapter(AwareInstant).validate_python("2021-01-12T08:00:00+08:00")
    assert at.isoformat() == "2021-01-12T08:00:00+08:00"
    now = datetime(2021, 1, 12, tzinfo=UTC)
    assert TypeAdapter(AwareInstant).validate_python(now) == now


def test_a_day_and_a_time_of_day_are_read_only_as_written() -> None:
    assert TypeAdapter(CalendarDay).validate_python("2021-01-12") == date(2021, 1, 12)
    assert TypeAdapter(CalendarDay).validate_python("2021-01-12T00:00:00") == date(2021, 1, 12)
    assert TypeAdapter(ClockTime).validate_python("08:30") == time(8, 30)
    for kind, written in ((CalendarDay, "0"), (CalendarDay, 86400), (ClockTime, "3600"), (ClockTime, 30600)):
        with pytest.raises(ValidationError, match="is written like"):
            TypeAdapter(kind).validate_python(written)


def test_an_overlong_instant_is_still_refused_by_its_length() -> None:
    with pytest.raises(ValidationError, match="at most 64 characters"):
        TypeAdapter(AwareInstant).validate_python("2021-01-12T08:00:00+08:00" + " " * 64)
