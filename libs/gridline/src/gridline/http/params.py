"""Parameter types whose lax reading would accept what their documented format refuses."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: object) -> object:
    # Pydantic reads a bare number as a Unix time ("0" is 1970-01-01); a calendar day is written as one.
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("a calendar day is written YYYY-MM-DD")
    return value


Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "maxLength": 10, "pattern": _ISO_DAY.pattern}),
]
"""A calendar day (Asia/Shanghai) in a query: `2021-01-12`, and nothing else."""
