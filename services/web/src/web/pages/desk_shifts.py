"""A rotation's shifts ahead, read from the rotation as duty returns it: to offer one's own shifts for a swap.

Duty numbers a rotation's shifts from its first day (shift id `<rotation>:<index>`) and takes its crews in
turn; this mirrors that numbering for the days ahead only, and duty checks every swap request anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
AHEAD_DAYS = 14


@dataclass(frozen=True)
class MyShift:
    shift_id: str
    rotation: str
    starts_at: datetime
    ends_at: datetime
    role: str
    others: list[dict[str, str]]


def _start(rotation: dict[str, Any], index: int) -> datetime:
    """When shift `index` starts, in Beijing time on the local date (as duty computes it)."""
    starts = [time.fromisoformat(t) for t in rotation["shift_starts"]]
    first = date.fromisoformat(rotation["starts_on"])
    if rotation["kind"] == "weekly":
        return datetime.combine(first + timedelta(weeks=index), starts[0], SHANGHAI)
    day, slot = divmod(index, len(starts))
    return datetime.combine(first + timedelta(days=day), starts[slot], SHANGHAI)


def _last_index(rotation: dict[str, Any]) -> int | None:
    """The last shift of a rotation with an end date; None for an open-ended one."""
    if not rotation.get("ends_on"):
        return None
    days = (date.fromisoformat(rotation["ends_on"]) - date.fromisoformat(rotation["starts_on"])).days
    return days // 7 if rotation["kind"] == "weekly" else (days + 1) * len(rotation["shift_starts"]) - 1


def my_shifts(rotations: list[dict[str, Any]], subject: str, now: datetime) -> list[MyShift]:
    """The shifts `subject` holds in the days ahead, with the colleagues of the same role who could take them."""
    found: list[MyShift] = []
    for rotation in rotations:
        per_week = 1 if rotation["kind"] == "weekly" else 7 * len(rotation["shift_starts"])
        last = _last_index(rotation)
        index = 0
        while _start(rotation, index + per_week) < now:
            index += per_week
        while (last is None or index <= last) and _start(rotation, index) < now + timedelta(days=AHEAD_DAYS):
            found += _mine(rotation, index, subject, now)
            index += 1
    return sorted(found, key=lambda s: s.starts_at)


def _mine(rotation: dict[str, Any], index: int, subject: str, now: datetime) -> list[MyShift]:
    """The roles `subject` holds on shift `index`, unless it is already over."""
    crews = rotation["crews"]
    crew = crews[index % len(crews)]
    ends = _start(rotation, index + 1)
    if ends <= now:
        return []
    shifts = []
    for role in ("duty_officer", "leader"):
        holder = crew.get(role)
        if holder and holder["subject"] == subject:
            others = {c[role]["subject"]: c[role] for c in crews if c.get(role) and c[role]["subject"] != subject}
            shifts.append(
                MyShift(
                    f"{rotation['id']}:{index}",
                    rotation["name"],
                    _start(rotation, index),
                    ends,
                    role,
                    list(others.values()),
                )
            )
    return shifts
