from __future__ import annotations

from gridline.http.bounds import CalendarDay
from pydantic import BaseModel, Field


class CheckinFigures(BaseModel):
    expected: int = Field(default=0, description="slots due on the day by the plans running on it, live")
    done: int = Field(default=0, description="slots filled on time")
    missed: int = Field(default=0, description="slots the cut-off found empty (0 before it)")
    pending: int = Field(default=0, description="not yet: expected - done - missed (0 once the day is closed)")
    recorded: int = Field(default=0, description="results recorded on the day, late ones and corrections included")
    late: int = Field(default=0, description="results recorded onto a slot already missed (the miss stands)")
    corrected: int = 0
    abnormal: int = Field(default=0, description="slots whose current result is abnormal (corrections count)")


class NatFigures(BaseModel):
    due: int = Field(default=0, description="people with a nucleic-acid test due on the day")
    done: int = Field(default=0, description="of those, people with a test result recorded")


class PlanFigures(BaseModel):
    started: int = 0
    completed: int = 0
    cancelled: int = 0


class Figures(BaseModel):
    people_by_measure: dict[str, int] = Field(
        default_factory=dict, description="people under each measure on the day, live"
    )
    checkins: CheckinFigures = Field(default_factory=CheckinFigures)
    nat: NatFigures = Field(default_factory=NatFigures)
    alerts_by_kind: dict[str, int] = Field(default_factory=dict)
    plans: PlanFigures = Field(default_factory=PlanFigures)
    closed: bool = Field(default=False, description="every grid's day has passed its cut-off")


class UnitFigures(Figures):
    unit: str = Field(description="a division code one level down, or a grid id (`-` for venue alerts)")


class DailyStatsRead(BaseModel):
    day: CalendarDay
    division: str = Field(description="the division code or grid the totals cover")
    totals: Figures
    children: list[UnitFigures] = Field(description="the same figures one level down the division tree")
