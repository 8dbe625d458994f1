from __future__ import annotations

from gridline.http.bounds import CalendarDay, Instant
from pydantic import BaseModel, Field


class StageRead(BaseModel):
    measure: str
    starts_on: CalendarDay
    ends_on: CalendarDay


class PlanRead(BaseModel):
    id: str
    person_id: str
    community_code: str
    grid_id: str
    measure: str
    stages: list[StageRead]
    starts_on: CalendarDay
    ends_on: CalendarDay
    first_day: CalendarDay = Field(description="the first day check-ins are expected")
    checkins_per_day: int
    nat_dates: list[CalendarDay]
    status: str = Field(description="active, completed or cancelled")
    version: int
    consecutive_missed_days: int = Field(description="missed days in a row, as of the last cut-off")
    rule_set_id: str | None
    rule_set_version: int | None
    rule_id: str | None
    opened_at: Instant
    closed_at: Instant | None = None
    close_reason: str | None = None
