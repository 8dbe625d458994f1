from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class PlanRead(BaseModel):
    id: str
    person_id: str
    community_code: str
    grid_id: str
    measure: str
    starts_on: date
    ends_on: date
    nat_dates: list[date]
    rule_set_id: str
    rule_set_version: int
    rule_id: str | None
    status: str
    opened_at: datetime
    ended_at: datetime | None = None
