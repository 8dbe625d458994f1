from __future__ import annotations

from gridline.http.bounds import CalendarDay, Instant
from pydantic import BaseModel, ConfigDict, Field

from monitoring.communities.models import CallRead
from monitoring.vocabulary import HealthCode, Method, NatResult, Symptom

# Plausible body temperatures only: anything outside is a typo or a broken thermometer, not a reading.
Temperature = Field(default=None, ge=34.0, le=43.0, description="°C, as read (34.0–43.0)")


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=500)


class SelfCheckinCreate(StrictModel):
    """What a resident reports through their link."""

    temperature_c: float | None = Temperature
    symptoms: list[Symptom] = Field(default_factory=list, max_length=len(Symptom))
    note: str | None = Field(default=None, max_length=200, description="other symptoms in free text (kept encrypted)")
    health_code: HealthCode | None = None


class CheckinCreate(SelfCheckinCreate):
    """What a worker records for a person."""

    method: Method
    nat_result: NatResult | None = Field(default=None, description="result of a NAT taken for this plan, if any")
    corrects: str | None = Field(
        default=None, max_length=64, description="checkin_id of today's result this one replaces (kept as history)"
    )


class AlertRef(BaseModel):
    alert_id: str
    kind: str
    severity: str


class ResultRead(BaseModel):
    checkin_id: str
    method: str
    temperature_c: float | None
    symptoms: list[str]
    has_note: bool
    health_code: str | None
    nat_result: str | None
    abnormal: bool
    alerts: list[AlertRef]
    late: bool
    corrects: str | None
    recorded_at: Instant
    recorded_by: str


class CheckinRead(BaseModel):
    """One person's slot on one day: its current result, or `missed` when the cut-off found none."""

    slot_id: str
    plan_id: str
    person_id: str
    community_code: str
    grid_id: str
    day: CalendarDay
    slot: int
    state: str = Field(description="recorded, or missed (a late result may follow)")
    result: ResultRead | None
    corrections: int = Field(description="earlier results of this slot, kept as history")


class CheckinDetail(CheckinRead):
    note: str | None = Field(description="the free-text note of the current result")
    history: list[ResultRead]


class SelfCheckinRead(BaseModel):
    day: CalendarDay
    slot: int
    recorded_at: Instant
    slots_today: int
    slots_done: int
    message: str
    call: CallRead = Field(description="whom to call: the grid manager's and the community duty desk's work phones")
