"""A monitoring rule set as stored and exchanged: per province by default, per county when it differs."""

from __future__ import annotations

from typing import Annotated, Self

from gridline.http.bounds import INT32_MAX
from pydantic import BaseModel, ConfigDict, Field, model_validator

from monitoring.vocabulary import AlertKind, HealthCode, Measure, NatResult, Severity, Symptom

CHECKIN_KINDS = {
    AlertKind.FEVER,
    AlertKind.SYMPTOMS,
    AlertKind.HEALTH_CODE_YELLOW,
    AlertKind.HEALTH_CODE_RED,
    AlertKind.NAT_POSITIVE,
}
VENUE_KINDS = {AlertKind.VENUE_FEVER, AlertKind.VENUE_HEALTH_CODE, AlertKind.VENUE_OVER_CAPACITY}
Temperature = Field(default=None, ge=35.0, le=43.0, description="°C; matches at or above")


CheckinsADay = Annotated[int, Field(ge=1, le=6)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200)


class CheckinTrigger(StrictModel):
    """Raises an alert of `kind` when every condition given matches a check-in (a condition left out matches)."""

    kind: AlertKind
    severity: Severity
    description: str = Field(min_length=1, max_length=60, description="the reason an alert shows; no personal data")
    temperature_at_least: float | None = Temperature
    symptoms_any: list[Symptom] | None = Field(default=None, min_length=1, max_length=20)
    health_codes: list[HealthCode] | None = Field(default=None, min_length=1, max_length=3)
    nat_results: list[NatResult] | None = Field(default=None, min_length=1, max_length=2)

    @model_validator(mode="after")
    def _meaningful(self) -> Self:
        if self.kind not in CHECKIN_KINDS:
            raise ValueError(f"kind must be one of {sorted(CHECKIN_KINDS)}")
        conditions = (self.temperature_at_least, self.symptoms_any, self.health_codes, self.nat_results)
        if all(c is None for c in conditions):
            raise ValueError("a trigger needs at least one condition")
        return self


class MissedTrigger(StrictModel):
    """Raises a `missed_checkins` alert on the day a plan reaches this many missed days in a row."""

    consecutive_days: int = Field(ge=1, le=30)
    severity: Severity
    description: str = Field(min_length=1, max_length=60)


class VenueTrigger(StrictModel):
    kind: AlertKind
    severity: Severity
    description: str = Field(min_length=1, max_length=60)
    temperature_at_least: float | None = Temperature
    health_codes: list[HealthCode] | None = Field(default=None, min_length=1, max_length=3)
    over_capacity: bool | None = None

    @model_validator(mode="after")
    def _meaningful(self) -> Self:
        if self.kind not in VENUE_KINDS:
            raise ValueError(f"kind must be one of {sorted(VENUE_KINDS)}")
        if self.temperature_at_least is None and self.health_codes is None and not self.over_capacity:
            raise ValueError("a trigger needs at least one condition")
        return self


class MonitoringRules(StrictModel):
    scope: str = Field(pattern=r"^(\d{2}|\d{6})$", description="province (2 digits) default or a county (6)")
    version: int = Field(ge=1, le=INT32_MAX)
    checkins_per_day: dict[Measure, CheckinsADay] = Field(description="check-ins a day under each measure")
    default_checkins_per_day: int = Field(default=1, ge=1, le=6)
    checkin_triggers: list[CheckinTrigger] = Field(max_length=50)
    missed_triggers: list[MissedTrigger] = Field(max_length=10)
    venue_triggers: list[VenueTrigger] = Field(max_length=20)

    @model_validator(mode="after")
    def _per_day_in_range(self) -> Self:
        if any(not 1 <= n <= 6 for n in self.checkins_per_day.values()):
            raise ValueError("checkins_per_day must be between 1 and 6")
        return self

    def per_day(self, measure: str) -> int:
        return next((n for m, n in self.checkins_per_day.items() if m.value == measure), self.default_checkins_per_day)
