"""What each event adds to which community's day: pure functions (no I/O).

A row is (community, day, deltas); deltas are dotted counter paths (`checkins.done`) and signed amounts.
A monitoring plan counts on every day it runs: one person under its measure, and its daily check-ins
expected. A plan event replaces the plan's days, so its rows are the difference between the days the plan
had before the event and the days it has after.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from duty.timing import day_start, local_day

# A plan's days are counted up to this long: far past any measure, and a bound on one event's writes.
MAX_PLAN_DAYS = 60
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


def plan_days(state: dict[str, Any] | None) -> dict[tuple[str, date], dict[str, int]]:
    """The (community, day) counts one plan state contributes."""
    if state is None:
        return {}
    first, last = date.fromisoformat(state["starts_on"]), date.fromisoformat(state["last_day"])
    last = min(last, first + timedelta(days=MAX_PLAN_DAYS - 1))
    counts = {f"measures.{name(state['measure'])}": 1, "checkins.expected": int(state["checkins_per_day"])}
    return {(state["community_code"], first + timedelta(days=n)): counts for n in range((last - first).days + 1)}


def plan_rows(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Row]:
    """Rows taking a plan from its days `before` an event to its days `after` it."""
    changes: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, state in ((-1, before), (1, after)):
        for key, counts in plan_days(state).items():
            for path, amount in counts.items():
                changes[key][path] += sign * amount
    rows = []
    for (community, day), deltas in sorted(changes.items()):
        nonzero = {path: amount for path, amount in deltas.items() if amount}
        if nonzero:
            rows.append(Row(community, day, nonzero))
    return rows


def plan_state(data: Any, *, ended_on: date | None) -> dict[str, Any]:
    """A plan's state after an event; a completed or cancelled plan runs up to the day it ended."""
    last = data.ends_on if ended_on is None else min(data.ends_on, ended_on)
    return {
        "community_code": data.community_code,
        "measure": data.measure,
        "starts_on": data.starts_on.isoformat(),
        "last_day": last.isoformat(),
        "checkins_per_day": data.checkins_per_day,
    }


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
