"""Injectable time, so cut-offs, deadlines and timers are testable without sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


def _to_millis(moment: datetime) -> datetime:
    """BSON keeps milliseconds: an instant we hand out must be the one a later read gives back."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class SystemClock:
    """The wall clock, in UTC, to the millisecond."""

    def now(self) -> datetime:
        return _to_millis(datetime.now(UTC))


class FixedClock:
    """A clock that moves only when told to."""

    def __init__(self, at: datetime) -> None:
        self._at = _to_millis(at.astimezone(UTC))

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def local_today(clock: Clock) -> date:
    """The calendar day in Asia/Shanghai, which is what "today" means to every user."""
    return clock.now().astimezone(LOCAL_TZ).date()
