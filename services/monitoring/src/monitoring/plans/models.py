from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class StageRead(BaseModel):
    measure: str
    starts_on: date
    ends_on: date


class PlanRead(BaseModel):
    id: str
    person_id: str
    community_code: str
    grid_id: str
    measure: str
    stages: list[StageRead]
    starts_on: date
    ends_on: date
    first_day: date = Field(description="the first day check-ins are expected")
    checkins_per_day: int
    nat_dates: list[date]
    status: str = Field(description="active, completed or cancelled")
    version: int
    consecutive_missed_days: int = Field(description="missed days in a row, as of the last cut-off")
    rule_set_id: str | None
    rule_set_version: int | None
    rule_id: str | None
    opened_at: datetime
    closed_at: datetime | None = None
    close_reason: str | None = None
