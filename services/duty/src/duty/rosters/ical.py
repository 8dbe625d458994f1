"""A person's shifts as an iCalendar (RFC 5545) feed, written by the `icalendar` package.

Times are Asia/Shanghai with its VTIMEZONE, so a phone shows the shift as the roster says it whatever zone the
phone is in. Each shift's UID derives from where and when it is held, so a refresh updates the same entry
instead of adding another; the package folds lines at 75 octets and ends them with CRLF.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from gridline.clock import LOCAL_TZ
from icalendar import Calendar, Event

from duty.rosters.models import DutyRole
from duty.rosters.personal import Held

ROLE_NAMES = {DutyRole.DUTY_OFFICER: "值班人员", DutyRole.LEADER: "带班领导"}
SOURCE_NAMES = {"rotation": "按排班表", "swap": "换班", "override": "临时调整"}
REFRESH = timedelta(hours=1)
PRODUCT = "-//Gridline//duty roster feed//ZH-CN"


@dataclass(frozen=True)
class FeedShift:
    community_code: str
    held: Held
    rotation_name: str | None
    duty_phone: str | None


def calendar(*, shifts: list[FeedShift], now: datetime) -> bytes:
    feed = Calendar()
    feed.add("prodid", PRODUCT)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", "我的值班")
    feed.add("x-wr-timezone", str(LOCAL_TZ))
    feed.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", REFRESH)
    for shift in shifts:
        feed.add_component(_event(shift, now))
    feed.add_missing_timezones()
    written: bytes = feed.to_ical()
    return written


def _event(shift: FeedShift, now: datetime) -> Event:
    held = shift.held
    role = ROLE_NAMES[held.role]
    event = Event()
    event.add("uid", uid(shift))
    event.add("dtstamp", now)
    event.add("dtstart", held.starts_at.astimezone(LOCAL_TZ))
    event.add("dtend", held.ends_at.astimezone(LOCAL_TZ))
    event.add("summary", f"{role}｜{shift.rotation_name}" if shift.rotation_name else role)
    lines = [f"社区（村）代码：{shift.community_code}", f"安排：{SOURCE_NAMES.get(held.source, held.source)}"]
    if held.grid_id:
        lines.insert(1, f"网格：{held.grid_id}")
    if shift.duty_phone:
        lines.append(f"值班电话：{shift.duty_phone}")
    event.add("description", "\n".join(lines))
    event.add("categories", ["值班"])
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def uid(shift: FeedShift) -> str:
    held = shift.held
    where = f"{shift.community_code}|{held.grid_id or ''}|{held.role.value}|{held.starts_at.timestamp():.0f}"
    return f"{hashlib.sha256(where.encode()).hexdigest()[:32]}@duty.gridline"
