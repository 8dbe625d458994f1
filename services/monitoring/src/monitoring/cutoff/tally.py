"""What a cut-off covered, and how a plan's run of missed days continues (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitoring.days import previous


@dataclass
class DayTally:
    """The grids a day's judgment covered, and how many plans it judged and are still open after it."""

    grids: set[str] = field(default_factory=set)
    judged: int = 0
    still_open: int = 0


def streak_on(plan: dict[str, Any], day: str) -> int:
    """Missed days in a row counting `day` as missed.

    Deterministic from the stored streak, so a cut-off that runs again after a crash gives the same
    number whether or not its first run got as far as storing it.
    """
    streak = plan.get("missed_streak") or {}
    count, last = int(streak.get("count", 0)), streak.get("last_day")
    if last == day:
        return count
    if last is not None and last == previous(day):
        return count + 1
    return 1
