from __future__ import annotations

from datetime import date, datetime
from typing import Any

from gridline.events import EventData, EventSpec, event_type

TOPIC = "duty.report.v1"


class DailyReportPublished(EventData):
    report_id: str
    division_code: str
    day: date
    counts: dict[str, Any]
    at: datetime
    revision: int
    level: int
    communities: int


PUBLISHED = EventSpec(
    TOPIC,
    event_type("duty", "daily_report", "published"),
    DailyReportPublished,
    "A division's report for a day (community, township, county …, rolled up); a recomputed day is published "
    "again with a higher `revision`.",
)
