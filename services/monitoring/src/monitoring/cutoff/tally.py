"""What a cut-off counts per grid, and how a plan's run of missed days continues (pure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from monitoring.days import previous


@dataclass
class GridTally:
    expected: int = 0
    done: int = 0
    missed: int = 0
    people: Counter[str] = field(default_factory=Counter)

    def figures(self) -> dict[str, Any]:
        return {
            "checkins.expected": self.expected,
            "checkins.done": self.done,
            "checkins.missed": self.missed,
            "people": dict(self.people),
        }


@dataclass
class DayTally:
    """The day's figures per (community, grid), and how many plans are still open after it."""

    grids: dict[str, GridTally] = field(default_factory=dict)
    judged: int = 0
    still_open: int = 0

    def grid(self, grid_id: str) -> GridTally:
        return self.grids.setdefault(grid_id, GridTally())


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
