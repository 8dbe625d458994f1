"""The figures of the statistics page, gathered from monitoring, care and duty with the officer's token."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from web import names
from web.apis import Apis
from web.pages.desk_feed import every_page
from web.session import User
from web.templating import label
from web.upstream import Api, ApiError

TREND_DAYS = 7
OPEN_STATUSES = ("open", "assigned", "acknowledged", "in_progress")
# The day's totals as rows of the table and the export: (key, words), the key naming the API's figure.
CHECKIN_ROWS = (
    ("checkins.expected", "应打卡"),
    ("checkins.done", "按时打卡"),
    ("checkins.pending", "尚未打卡（未到截止时间）"),
    ("checkins.missed", "漏打卡（截止时统计）"),
    ("checkins.recorded", "当日录入"),
    ("checkins.late", "补录"),
    ("checkins.corrected", "更正"),
    ("checkins.abnormal", "异常"),
    ("nat.due", "应做核酸（人）"),
    ("nat.done", "已做核酸（人）"),
    ("plans.started", "新开监测"),
    ("plans.completed", "解除监测"),
    ("plans.cancelled", "取消监测"),
)


@dataclass
class Stats:
    """Everything the page and the workbook show for one division and day."""

    day: date
    division: str
    daily: dict[str, Any]
    trend: list[tuple[date, int, int]]
    open_requests: Counter[str]
    open_by_unit: Counter[str]
    report: dict[str, Any] | None
    names: dict[str, str] = field(default_factory=dict)
    division_name: str | None = None

    @property
    def totals(self) -> dict[str, Any]:
        """The day's figures summed over the whole division."""
        found: dict[str, Any] = self.daily["totals"]
        return found

    def figure(self, key: str) -> int:
        """A figure of the day's totals by its dotted key, e.g. `checkins.done`."""
        group, name = key.split(".")
        return int(self.totals.get(group, {}).get(name, 0))

    def rows(self) -> list[tuple[str, str, int]]:
        """The day's totals as (key, words, number): people per measure, check-ins, plans, alerts, requests."""
        found = [
            (f"people.{m}", f"{label(m, 'measure')}（人）", n) for m, n in self.totals["people_by_measure"].items()
        ]
        found += [
            (key, words, self.figure(key))
            for key, words in CHECKIN_ROWS
            if key != "checkins.pending" or not self.totals["closed"]
        ]
        found += [
            (f"alerts.{k}", f"预警：{label(k, 'alert_kind')}", n) for k, n in self.totals["alerts_by_kind"].items()
        ]
        found += [
            (f"requests.{s}", f"求助：{label(s, 'request_status')}", self.open_requests[s]) for s in OPEN_STATUSES
        ]
        return found


async def gather(apis: Apis, user: User, day: date) -> Stats:
    """The day's statistics, the check-in trend, open help requests and duty's daily report, in parallel."""
    trend_days = [day - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    trend, (by_status, by_unit), report, unit_names, division_name = await asyncio.gather(
        asyncio.gather(*(_daily(apis.monitoring, user, d) for d in trend_days)),
        _open_requests(apis.care, user),
        _report(apis.duty, user, day),
        _names(apis, user),
        names.division(apis, user.jurisdiction),
    )
    daily = trend[-1]  # the last day of the trend is the day itself
    points = [
        (d, int(s["totals"]["checkins"]["done"]), int(s["totals"]["checkins"]["missed"]))
        for d, s in zip(trend_days, trend, strict=True)
    ]
    return Stats(day, daily["division"], daily, points, by_status, by_unit, report, unit_names, division_name)


async def _daily(monitoring: Api, user: User, day: date) -> dict[str, Any]:
    """Monitoring's figures of one day for the user's jurisdiction, rolled up, with the level below."""
    found: dict[str, Any] = await monitoring.call(
        "GET", "/v1/stats/daily", token=user.token, params={"day": day.isoformat()}
    )
    return found


async def _open_requests(care: Api, user: User) -> tuple[Counter[str], Counter[str]]:
    """Help requests not yet closed, by status and by the division one level below the user's."""
    by_status: Counter[str] = Counter()
    by_unit: Counter[str] = Counter()
    for status in OPEN_STATUSES:
        for item in await every_page(care, user, "/v1/requests", {"status": status}):
            by_status[status] += 1
            by_unit[unit_of(item, user.jurisdiction)] += 1
    return by_status, by_unit


def unit_of(item: dict[str, Any], jurisdiction: str) -> str:
    """The division one level below `jurisdiction` that a request lies in (its grid, below a community)."""
    code = str(item.get("community_code") or "")
    if len(jurisdiction) >= 12:
        return str(item.get("grid_id") or "—")
    return code[: len(jurisdiction) + (3 if len(jurisdiction) >= 6 else 2)] or "—"


async def _report(duty: Api, user: User, day: date) -> dict[str, Any] | None:
    """Duty's daily report where the user may read it; officers of other services simply go without."""
    try:
        found: dict[str, Any] = await duty.call(
            "GET", "/v1/reports/daily", token=user.token, params={"division_code": user.jurisdiction, "day": day}
        )
    except ApiError as error:
        if error.status == 401:
            raise
        return None
    return found


async def _names(apis: Apis, user: User) -> dict[str, str]:
    """The names of the grids or divisions directly under the user's, to label the rows."""
    if len(user.jurisdiction) >= 12:
        return await names.grids(apis, user)
    try:
        found = await apis.registry.call("GET", "/v1/divisions", token=user.token, params={"parent": user.jurisdiction})
    except ApiError as error:
        if error.status == 401:
            raise
        return {}
    return {str(d["code"]): str(d["name"]) for d in found or []}
