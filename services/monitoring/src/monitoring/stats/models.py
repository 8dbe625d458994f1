from __future__ import annotations

from gridline.http.bounds import CalendarDay
from pydantic import BaseModel, Field


class CheckinFigures(BaseModel):
    expected: int = Field(default=0, description="slots due on the day, counted at the cut-off")
    done: int = Field(default=0, description="slots with a result by the cut-off")
    missed: int = Field(default=0, description="slots with none at the cut-off; expected = done + missed")
    recorded: int = Field(default=0, description="results recorded on the day, late ones and corrections included")
    late: int = 0
    corrected: int = 0
    abnormal: int = 0


class PlanFigures(BaseModel):
    started: int = 0
    completed: int = 0
    cancelled: int = 0


class Figures(BaseModel):
    people_by_measure: dict[str, int] = Field(default_factory=dict, description="people judged on the day, by measure")
    checkins: CheckinFigures = Field(default_factory=CheckinFigures)
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
