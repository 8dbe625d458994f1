from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import INT32_MAX, CalendarDay, Instant
from pydantic import BaseModel, ConfigDict, Field


class VenueKind(StrEnum):
    SERVICE_CENTRE = "service_centre"
    ACTIVITY_ROOM = "activity_room"
    OTHER = "other"


class Responsible(BaseModel):
    """The designated responsible person (责任人); their work phone is posted at the venue, so shown in full."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    work_phone: str | None = Field(default=None, max_length=24)


class VenueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=80)
    kind: VenueKind
    capacity: int = Field(ge=1, le=100_000, description="most people inside at once")
    responsible: Responsible


class VenueUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, le=INT32_MAX)
    name: str | None = Field(default=None, min_length=1, max_length=80)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    responsible: Responsible | None = None
    active: bool | None = None


class VenueRead(BaseModel):
    id: str
    community_code: str
    name: str
    kind: VenueKind
    capacity: int
    responsible: Responsible
    active: bool
    version: int
    created_at: Instant


class LogKind(StrEnum):
    DISINFECTION = "disinfection"
    VENTILATION = "ventilation"


class HygieneCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: LogKind = LogKind.DISINFECTION
    at: Instant = Field(description="when it was done (RFC 3339 with offset)")
    area: str = Field(min_length=1, max_length=80, description="e.g. 大厅, 卫生间, 门把手与扶手")
    agent: str | None = Field(default=None, max_length=60, description="disinfectant used, e.g. 含氯消毒液 500mg/L")
    minutes: int | None = Field(default=None, ge=1, le=1440, description="ventilation: how long")
    by_name: str = Field(min_length=1, max_length=50, description="who did it")


class HygieneRead(BaseModel):
    id: str
    venue_id: str
    kind: LogKind
    day: CalendarDay
    at: Instant
    area: str
    agent: str | None
    minutes: int | None
    by_name: str
    recorded_by: str


class CleaningTaskCreate(BaseModel):
    """A property company's cleaning of a residential compound's shared areas (物业公共区域清洁消毒)."""

    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    compound: str = Field(min_length=1, max_length=80, description="小区")
    area: str = Field(min_length=1, max_length=80, description="电梯, 楼道, 垃圾收集点 …")
    company: str = Field(min_length=1, max_length=80, description="物业公司")
    due_on: CalendarDay


class CleaningTaskDone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    done_at: Instant
    by_name: str = Field(min_length=1, max_length=50)
    agent: str | None = Field(default=None, max_length=60)


class CleaningTaskRead(BaseModel):
    id: str
    community_code: str
    compound: str
    area: str
    company: str
    due_on: CalendarDay
    status: str
    done_at: Instant | None
    by_name: str | None
    agent: str | None
