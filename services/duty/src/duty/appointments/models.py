from __future__ import annotations

from gridline.http.bounds import CalendarDay, ClockTime, Instant
from pydantic import BaseModel, ConfigDict, Field, model_validator

PHONE = r"^1[3-9]\d{9}$"


class SlotsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    service: str = Field(min_length=1, max_length=40, description="e.g. 开具证明, 社保认证, 疫苗接种登记")
    venue_id: str | None = Field(default=None, max_length=64)
    day: CalendarDay
    first_start: ClockTime = Field(description="local time of the first slot")
    last_end: ClockTime = Field(description="local time the last slot ends")
    minutes: int = Field(ge=5, le=240, description="length of each slot")
    capacity: int = Field(ge=1, le=200, description="bookings per slot")

    @model_validator(mode="after")
    def _span(self) -> SlotsCreate:
        if self.last_end <= self.first_start:
            raise ValueError("last_end must be after first_start")
        return self


class SlotRead(BaseModel):
    id: str
    community_code: str
    service: str
    venue_id: str | None
    day: CalendarDay
    starts_at: Instant
    ends_at: Instant
    capacity: int
    booked: int
    available: int


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(pattern=PHONE, description="the mobile the one-time code is sent to")
    community_code: str | None = Field(
        default=None, pattern=r"^\d{12}$", description="the community booked with, whose SMS vendor sends the code"
    )


class CodeSent(BaseModel):
    expires_in_seconds: int
    resend_after_seconds: int


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(pattern=PHONE)
    code: str = Field(pattern=r"^\d{6}$", description="the one-time code sent to the phone")


class BookingRead(BaseModel):
    booking_id: str
    slot_id: str
    service: str
    starts_at: Instant
    ends_at: Instant
    phone: str = Field(description="masked")
    status: str = Field(description="booked | cancelled")
    cancel_code: str | None = Field(
        default=None, description="shown once, when booking: keep it to cancel without an account"
    )


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cancel_code: str = Field(min_length=8, max_length=64)
