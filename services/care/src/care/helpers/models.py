"""What a worker sends to register a helper or set their availability, and what they read back."""

from __future__ import annotations

from typing import Annotated

from gridline.http.bounds import INT32_MAX, AwareInstant, Instant
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from care.helpers.availability import minutes
from care.vocabulary import HelperKind, RequestType

Clock24 = Annotated[str, StringConstraints(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]
Community = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
Account = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9@._:-]{1,128}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200)


class WindowIn(StrictModel):
    """A weekly window: ISO weekdays (1 = Monday) and a local time span, e.g. 08:00-20:00."""

    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(min_length=1, max_length=7)
    start: Clock24
    end: Clock24

    @field_validator("days")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if any(d < 1 or d > 7 for d in days) or len(set(days)) != len(days):
            raise ValueError("days are distinct ISO weekdays, 1 (Monday) to 7 (Sunday)")
        return sorted(days)

    @model_validator(mode="after")
    def _ends_after_start(self) -> WindowIn:
        if minutes(self.end) <= minutes(self.start):
            raise ValueError("end must be after start")
        return self


class HelperCreate(StrictModel):
    name: Text = Field(max_length=50)
    kind: HelperKind
    organisation: Text | None = Field(default=None, max_length=100, description="for a social organisation's team")
    skills: list[RequestType] = Field(min_length=1, max_length=len(RequestType))
    communities: list[Community] = Field(min_length=1, max_length=20, description="12-digit codes served")
    windows: list[WindowIn] = Field(min_length=1, max_length=21, description="when the helper can be called on")
    account: Account | None = Field(default=None, description="the subject the helper signs in with")
    phone: str | None = Field(default=None, max_length=20)

    @field_validator("skills", "communities")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("values must be distinct")
        return values


class AvailabilityUpdate(StrictModel):
    """Replaces the windows; `unavailable_until` pauses the helper (sick, away); `active` false retires them."""

    windows: list[WindowIn] = Field(min_length=1, max_length=21)
    unavailable_until: AwareInstant | None = Field(default=None, description="with its UTC offset")
    active: bool = True
    version: int | None = Field(
        default=None, ge=1, le=INT32_MAX, description="refuse the change if someone changed it first"
    )


class WindowRead(BaseModel):
    days: list[int]
    start: str
    end: str


class HelperRead(BaseModel):
    id: str
    name: str
    kind: HelperKind
    organisation: str | None
    skills: list[RequestType]
    communities: list[str]
    windows: list[WindowRead]
    unavailable_until: Instant | None
    active: bool
    available_now: bool
    account: str | None
    phone: str | None = Field(description="masked")
    load: int = Field(description="requests assigned and not yet closed")
    last_assigned_at: Instant | None
    version: int
    registered_at: Instant
