"""Calendar days in Asia/Shanghai: what "today" and a community's cut-off mean, stored as ISO strings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from gridline.clock import LOCAL_TZ

DEFAULT_CUTOFF = "20:00"


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def cutoff_at(day: date, hhmm: str) -> datetime:
    """The instant of `day`'s cut-off (e.g. 20:00 Beijing time) in UTC."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=LOCAL_TZ).astimezone(UTC)


def end_of(day: date) -> datetime:
    """The first instant after `day` in Asia/Shanghai, in UTC."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ).astimezone(UTC)


def iso(day: date) -> str:
    return day.isoformat()


def parse(day: str) -> date:
    return date.fromisoformat(day)


def previous(day: str) -> str:
    return iso(parse(day) - timedelta(days=1))


def following(day: str) -> str:
    return iso(parse(day) + timedelta(days=1))
