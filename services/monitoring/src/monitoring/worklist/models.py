from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import CalendarDay
from pydantic import BaseModel, Field


class WorkState(StrEnum):
    ALL = "all"
    PENDING = "pending"
    DONE = "done"
    NAT_DUE = "nat_due"


class WorkItem(BaseModel):
    plan_id: str
    person_id: str
    name_masked: str | None = Field(description="as registry published it, masked")
    measure: str
    ends_on: CalendarDay
    checkins_per_day: int
    slots_done: int
    done: bool = Field(description="every slot of today has a result")
    nat_due: bool = Field(description="today is one of the plan's NAT days")
    nat_recorded: bool = Field(description="a NAT result was recorded today")
    abnormal_today: bool
    last_temperature_c: float | None
    consecutive_missed_days: int


class WorkCounts(BaseModel):
    must_check_in: int
    done: int
    not_done: int
    nat_due: int


class Worklist(BaseModel):
    grid_id: str
    day: CalendarDay
    counts: WorkCounts
    items: list[WorkItem] = Field(description="one page of the grid's plans; a state filter may leave fewer")
    next_cursor: str | None = None
