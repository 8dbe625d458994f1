"""Bounds on what a caller may send, in one place: each input type says how long, how many or how large.

Pydantic enforces them (a 10,000-entry list or a megabyte of text is a 422 before any work) and the OpenAPI
document shows them (`maxLength`, `maxItems`, `minimum`/`maximum`), so clients and linters see the same limit
the server applies. They are set far beyond anything a real user sends: a name of 64 characters, a note of
2000, a list of a few hundred.

Instants, days and clock times are bounded too: pydantic's parser accepts any number of fractional-second
digits, so without a length a megabyte of zeros would be read as a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import Path
from pydantic import AwareDatetime, BeforeValidator, Field, StringConstraints, WithJsonSchema

INT32_MAX = 2**31 - 1
NAME_LENGTH = 64
SHORT_TEXT_LENGTH = 200
TEXT_LENGTH = 2000
KEY_LENGTH = 64
LONG_KEY_LENGTH = 256
MAX_ITEMS = 500
"""The most entries one list in a request may hold (a push of a whole list has its own, larger limit)."""

Name = Annotated[str, StringConstraints(max_length=NAME_LENGTH)]
"""A person's or thing's name."""
ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT_LENGTH)]
"""A line of text: a title, a reason, an address."""
Text = Annotated[str, StringConstraints(max_length=TEXT_LENGTH)]
"""Free text: a note, a description."""
Key = Annotated[str, StringConstraints(min_length=1, max_length=KEY_LENGTH)]
"""An identifier a client passes back (a record's id)."""
PathKey = Annotated[str, Path(min_length=1, max_length=KEY_LENGTH)]
"""A record's id in a path."""
LongPathKey = Annotated[str, Path(min_length=1, max_length=LONG_KEY_LENGTH)]
"""An id made of several parts in a path (a dead letter's `group:topic:partition:offset`)."""
Count = Annotated[int, Field(ge=0, le=1_000_000)]
"""A number of things: people, items, days."""
Version = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A record's version, for optimistic concurrency."""
SmallCount = Annotated[int, Field(ge=0, le=1000)]
"""A count a person types (days, times a day)."""

INSTANT_LENGTH = 64
DAY_LENGTH = 32  # `2021-01-12`, or a datetime at midnight, which pydantic also reads as that day
CLOCK_TIME_LENGTH = 32
_DAY_FIRST = r"\d{4}-\d{2}-\d{2}"


def _at_most(length: int, what: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, str | bytes) and len(value) > length:
            raise ValueError(f"{what} is at most {length} characters")
        return value

    return check


def _written(length: int, what: str, shape: str, example: str) -> Callable[[Any], Any]:
    """At most `length` characters, and written as the schema says: pydantic alone also reads a number, or a
    string of digits, as seconds since 1970 (`end_date=0.5` would be an instant of 1970)."""
    longest, pattern = _at_most(length, what), re.compile(shape)

    def check(value: Any) -> Any:
        if isinstance(value, bool | int | float) or (isinstance(value, str) and not pattern.match(value)):
            raise ValueError(f"{what} is written like {example}")
        return longest(value)

    return check


Instant = Annotated[
    datetime,
    BeforeValidator(_written(INSTANT_LENGTH, "an instant", _DAY_FIRST, "2021-01-12T08:00:00+08:00")),
    WithJsonSchema({"type": "string", "format": "date-time", "maxLength": INSTANT_LENGTH}),
]
"""An RFC 3339 instant (`2021-01-12T08:00:00+08:00`)."""
AwareInstant = Annotated[
    AwareDatetime,
    BeforeValidator(_written(INSTANT_LENGTH, "an instant", _DAY_FIRST, "2021-01-12T08:00:00+08:00")),
    WithJsonSchema({"type": "string", "format": "date-time", "maxLength": INSTANT_LENGTH}),
]
"""An RFC 3339 instant that must carry its offset."""
CalendarDay = Annotated[
    date,
    BeforeValidator(_written(DAY_LENGTH, "a day", _DAY_FIRST, "2021-01-12")),
    WithJsonSchema({"type": "string", "format": "date", "maxLength": DAY_LENGTH}),
]
"""A calendar day (Asia/Shanghai) in a body: `2021-01-12`."""
ClockTime = Annotated[
    time,
    BeforeValidator(_written(CLOCK_TIME_LENGTH, "a time of day", r"\d{1,2}:\d{2}", "08:30")),
    WithJsonSchema({"type": "string", "format": "time", "maxLength": CLOCK_TIME_LENGTH}),
]
"""A time of day (`08:30`)."""
