"""Local time: shifts, days and report times are Asia/Shanghai; instants are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from gridline.clock import LOCAL_TZ


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def at_local(day: date, clock_time: time) -> datetime:
    """The instant (UTC) of a local wall-clock time on a local day."""
    return datetime.combine(day, clock_time, tzinfo=LOCAL_TZ).astimezone(UTC)


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def day_start(day: date) -> datetime:
    return at_local(day, time(0, 0))


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def aware(moment: datetime) -> datetime:
    """Instants read back from the database are UTC; a naive one (FerretDB, tz_aware off) is made so."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
