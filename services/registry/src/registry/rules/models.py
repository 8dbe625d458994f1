"""A rule set as stored and as exchanged over the API."""

from __future__ import annotations

from gridline.http.bounds import INT32_MAX, CalendarDay, SmallCount
from pydantic import BaseModel, ConfigDict, Field

from registry.vocabulary import Category, HealthCode, Measure, RiskLevel


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Condition(StrictModel):
    """All given fields must match; a field left out matches anything."""

    categories: list[Category] | None = Field(default=None, max_length=len(Category))
    origin_risk: list[RiskLevel] | None = Field(default=None, max_length=len(RiskLevel))
    health_codes: list[HealthCode] | None = Field(default=None, max_length=len(HealthCode))
    max_days_since_arrival: int | None = Field(default=None, ge=0, le=365)


class Stage(StrictModel):
    measure: Measure
    duration_days: int = Field(ge=1, le=90)


class Rule(StrictModel):
    id: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=200)
    when: Condition
    stages: list[Stage] = Field(min_length=1, max_length=4)
    nat_days: list[SmallCount] = Field(default_factory=list, max_length=30, description="day numbers, day 1 = start")


class RuleSet(StrictModel):
    id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1, le=INT32_MAX)
    scope: str = Field(pattern=r"^(\d{2}|\d{6})$", description="province (2 digits) default or a county (6)")
    effective_from: CalendarDay
    rules: list[Rule] = Field(min_length=1, max_length=200)
