from __future__ import annotations

from gridline.http.bounds import CalendarDay, Instant
from pydantic import BaseModel, Field, computed_field


class KeyPopulations(BaseModel):
    registered: int = Field(default=0, description="people registered that day in a key-population category")
    by_category: dict[str, int] = Field(default_factory=dict)


class Checkins(BaseModel):
    """Monitoring's figures of the day, as its statistics show them (`getDailyStats`)."""

    expected: int = Field(default=0, description="check-ins the day's running monitoring plans call for")
    done: int = Field(default=0, description="slots filled on time")
    missed: int = Field(default=0, description="slots the cut-off found empty (0 before it)")
    abnormal: int = Field(default=0, description="slots whose current result is abnormal")
    recorded: int = Field(default=0, description="results recorded, late ones and corrections included")
    late: int = Field(default=0, description="results recorded onto a slot already missed")
    corrected: int = 0

    @computed_field(description="not yet: expected - done - missed (0 once the day is closed)")  # type: ignore[prop-decorator]
    @property
    def pending(self) -> int:
        return self.expected - self.done - self.missed


class Nat(BaseModel):
    due: int = Field(default=0, description="people with a nucleic-acid test due that day")
    done: int = Field(default=0, description="of those, people with a test result recorded")


class Alerts(BaseModel):
    raised: int = 0
    by_kind: dict[str, int] = Field(default_factory=dict)


class HelpRequests(BaseModel):
    opened: int = 0
    overdue: int = Field(default=0, description="deadlines missed that day (acknowledge or fulfil)")
    fulfilled: int = 0
    cancelled: int = 0


class Incidents(BaseModel):
    opened: int = 0
    acknowledged: int = 0
    escalated: int = 0
    resolved: int = 0


class Supplies(BaseModel):
    below_minimum: int = Field(default=0, description="supply shortages raised that day")
    expiring: int = 0


class DutyCoverage(BaseModel):
    gaps: int = Field(default=0, description="roster gaps starting that day")
    uncovered_minutes_duty_officer: int = 0
    uncovered_minutes_leader: int = 0


class Counts(BaseModel):
    key_populations: KeyPopulations = Field(default_factory=KeyPopulations)
    measures: dict[str, int] = Field(default_factory=dict, description="people under each measure that day")
    checkins: Checkins = Field(default_factory=Checkins)
    nat: Nat = Field(default_factory=Nat)
    alerts: Alerts = Field(default_factory=Alerts)
    help_requests: HelpRequests = Field(default_factory=HelpRequests)
    incidents: Incidents = Field(default_factory=Incidents)
    supplies: Supplies = Field(default_factory=Supplies)
    duty: DutyCoverage = Field(default_factory=DutyCoverage)


class DivisionCounts(BaseModel):
    division_code: str
    communities: int = Field(description="communities with anything counted that day")
    counts: Counts


class Publication(BaseModel):
    revision: int
    published_at: Instant


class DailyReport(BaseModel):
    division_code: str
    day: CalendarDay
    communities: int
    counts: Counts
    children: list[DivisionCounts] = Field(description="the same day for each division one level down")
    published: Publication | None = Field(description="the latest revision published for the day, if any")


class Recomputed(BaseModel):
    report: DailyReport
    communities_changed: list[str] = Field(description="communities whose counters differed from their ledger")
    republishing: int | None = Field(description="the revision being published again, when the day was published")


class DeliveryRead(BaseModel):
    delivery_id: str
    attempt: int
    outcome: str
    status_code: int | None
    error: str | None
    attempted_at: Instant
    day: str
    revision: int
