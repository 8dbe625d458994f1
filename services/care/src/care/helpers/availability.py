"""When a helper can be called on: weekly windows in Asia/Shanghai time, unless paused (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from gridline.clock import LOCAL_TZ


def minutes(hhmm: str) -> int:
    hours, _, mins = hhmm.partition(":")
    return int(hours) * 60 + int(mins)


def available_at(windows: Iterable[Mapping[str, Any]], unavailable_until: datetime | None, moment: datetime) -> bool:
    """Whether `moment` falls inside a window (ISO weekdays 1-7, [start, end) local time) and not in a pause."""
    if unavailable_until is not None and moment < unavailable_until:
        return False
    local = moment.astimezone(LOCAL_TZ)
    minute = local.hour * 60 + local.minute
    return any(
        local.isoweekday() in window["days"] and minutes(window["start"]) <= minute < minutes(window["end"])
        for window in windows
    )
