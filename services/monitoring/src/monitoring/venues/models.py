from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import CalendarDay, Instant
from pydantic import BaseModel, ConfigDict, Field

from monitoring.vocabulary import HealthCode


class VenueKind(StrEnum):
    SERVICE_CENTRE = "service_centre"  # 服务(活动)中心
    ACTIVITY_ROOM = "activity_room"
    OTHER = "other"


class Decision(StrEnum):
    ADMIT = "admit"
    REFER = "refer"  # fever or a yellow/red code: do not admit, follow the alert
    MASK_REQUIRED = "mask_required"
    WAIT = "wait"  # the venue is at its cap: fewer people at once


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200)


class VenueCreate(StrictModel):
    community_code: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=60)
    kind: VenueKind = VenueKind.SERVICE_CENTRE
    capacity: int = Field(ge=1, le=10_000, description="people at once")


class VenueRead(BaseModel):
    id: str
    community_code: str
    name: str
    kind: str
    capacity: int
    active: bool
    source: str = Field(description="`monitoring` for venues listed here, `duty` for venues duty published")


class EntryCreate(StrictModel):
    temperature_c: float = Field(ge=34.0, le=43.0, description="°C, as read at the door")
    health_code: HealthCode
    mask: bool
    person_id: str | None = Field(default=None, max_length=64, description="when the visitor is a known person")


class ExitCreate(StrictModel):
    count: int = Field(default=1, ge=1, le=100)


class EntryRead(BaseModel):
    entry_id: str
    venue_id: str
    at: Instant
    decision: Decision
    alerts: list[str] = Field(description="kinds of the alerts this entry raised")
    occupancy: int
    capacity: int


class OccupancyRead(BaseModel):
    venue_id: str
    day: CalendarDay
    occupancy: int
    capacity: int
    available: int
    at_capacity: bool
    entries: int = Field(description="checks at the door today, admitted or not")
    admitted: int
    turned_away: int
    exits: int
    peak: int
