"""What each event adds to which community's day: pure functions (no I/O).

A row is (community, day, deltas); deltas are dotted counter paths (`checkins.done`) and signed amounts.
The monitoring figures (people under each measure, check-ins, NAT, alerts) are monitoring's own rows, taken
as they are: the report never counts them another way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from duty.timing import day_start, local_day

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Row:
    community_code: str
    day: date
    deltas: dict[str, int]


def name(value: str) -> str:
    """A value used as a counter name (a measure, a category): safe as a field name, else `other`."""
    return value if _NAME.match(value) else "other"


def one(community_code: str, at: datetime | date, *paths: str) -> list[Row]:
    day = at if isinstance(at, date) and not isinstance(at, datetime) else local_day(at)  # type: ignore[arg-type]
    return [Row(community_code, day, dict.fromkeys(paths, 1))]


# Monitoring's figures as the report names them: people per measure under `measures`, the rest as they are.
_FIGURE_GROUPS = {"checkins": "checkins", "nat": "nat", "people": "measures"}


def figure_rows(rows: list[Any]) -> list[Row]:
    """Monitoring's `figures.counted` rows (the one definition of the day's monitoring figures), summed per
    community and day, under the report's names; alerts also count towards `alerts.raised`."""
    summed: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        place = summed[(row.community_code, row.day)]
        for group, figure, amount in ((g, f, n) for g, figures in row.counts.items() for f, n in figures.items()):
            if group == "alerts":
                place[f"alerts.by_kind.{name(figure)}"] += amount
                place["alerts.raised"] += amount
            elif group in _FIGURE_GROUPS:
                place[f"{_FIGURE_GROUPS[group]}.{name(figure)}"] += amount
    return [
        Row(community, day, nonzero)
        for (community, day), deltas in sorted(summed.items())
        if (nonzero := {path: amount for path, amount in deltas.items() if amount})
    ]


def gap_rows(community_code: str, role: str, starts_at: datetime, ends_at: datetime) -> list[Row]:
    """A roster gap counts once on the day it starts, and its minutes on each day it spans."""
    rows, day = [], local_day(starts_at)
    while day_start(day) < ends_at:
        start, end = max(starts_at, day_start(day)), min(ends_at, day_start(day + timedelta(days=1)))
        deltas = {f"duty.uncovered_minutes_{name(role)}": int((end - start).total_seconds() // 60)}
        if day == local_day(starts_at):
            deltas["duty.gaps"] = 1
        rows.append(Row(community_code, day, deltas))
        day += timedelta(days=1)
    return rows
