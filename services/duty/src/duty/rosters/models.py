from __future__ import annotations

from datetime import date
from enum import StrEnum

from gridline.http.bounds import INT32_MAX, CalendarDay, ClockTime, Instant
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

COMMUNITY = r"^\d{12}$"
# Dates far outside any roster's life would only overflow date arithmetic.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
SUBJECT = r"^[A-Za-z0-9._:@-]{1,64}$"


class DutyRole(StrEnum):
    DUTY_OFFICER = "duty_officer"
    LEADER = "leader"


class RotationKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class Member(BaseModel):
    """Someone on a roster: their user id (as in their token, so they can acknowledge) and display name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: str = Field(pattern=SUBJECT)
    name: str = Field(min_length=1, max_length=50)


class Crew(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    duty_officer: Member | None = Field(description="值班人员; null leaves the role uncovered (reported as a gap)")
    leader: Member | None = Field(description="带班领导")


class RotationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=COMMUNITY)
    grid_id: str | None = Field(default=None, max_length=64, description="a grid's own roster; none: the community's")
    name: str = Field(min_length=1, max_length=60)
    kind: RotationKind
    starts_on: CalendarDay
    ends_on: CalendarDay | None = Field(default=None, description="last day a shift starts; none: open-ended")
    shift_starts: list[ClockTime] = Field(
        min_length=1,
        max_length=4,
        description="local start times; daily: each day's shifts (each ends when the next starts), weekly: one",
    )
    crews: list[Crew] = Field(min_length=1, max_length=100, description="taken in turn, one per shift")

    @field_validator("shift_starts")
    @classmethod
    def _distinct_minutes(cls, starts: list[ClockTime]) -> list[ClockTime]:
        if any(t.second or t.microsecond or t.tzinfo for t in starts):
            raise ValueError("shift start times are local HH:MM")
        if len(set(starts)) != len(starts):
            raise ValueError("shift start times must differ")
        return sorted(starts)

    @model_validator(mode="after")
    def _shape(self) -> RotationCreate:
        if not (EARLIEST <= self.starts_on <= LATEST and (self.ends_on is None or self.ends_on <= LATEST)):
            raise ValueError(f"rosters run between {EARLIEST} and {LATEST}")
        if self.kind is RotationKind.WEEKLY and len(self.shift_starts) != 1:
            raise ValueError("a weekly rotation has one shift start time")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class RotationRead(BaseModel):
    id: str
    community_code: str
    grid_id: str | None
    name: str
    kind: RotationKind
    starts_on: CalendarDay
    ends_on: CalendarDay | None
    shift_starts: list[ClockTime]
    crews: list[Crew]
    created_at: Instant


class Shift(BaseModel):
    shift_id: str
    rotation_id: str
    starts_at: Instant
    ends_at: Instant
    duty_officer: Member | None
    leader: Member | None


class OnDuty(BaseModel):
    """Who holds each role at one instant, and why (the rotation's shift, a swap or an override)."""

    community_code: str
    grid_id: str | None
    at: Instant
    duty_phone: str | None
    shift: Shift | None = Field(description="the rotation's shift as planned, before swaps and overrides")
    duty_officer: Member | None
    leader: Member | None
    sources: dict[str, str] = Field(description="role -> rotation | swap | override | none")


class PublicMember(BaseModel):
    name: str


class OnDutyPublic(BaseModel):
    duty_officer: PublicMember | None
    leader: PublicMember | None
    until: Instant | None


class OverrideCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=COMMUNITY)
    grid_id: str | None = Field(default=None, max_length=64)
    starts_at: Instant
    ends_at: Instant
    role: DutyRole
    member: Member | None = Field(description="who takes the role; null marks it uncovered (leave without cover)")
    reason: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _order(self) -> OverrideCreate:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("instants need an offset")
        if not EARLIEST <= self.starts_at.date() <= self.ends_at.date() <= LATEST:
            raise ValueError(f"overrides lie between {EARLIEST} and {LATEST}")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class SwapCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shift_id: str = Field(max_length=120, description="the requester's shift")
    role: DutyRole
    counterpart: Member = Field(description="who takes the requester's place")
    counterpart_shift_id: str | None = Field(
        default=None, max_length=120, description="the counterpart's shift the requester takes in exchange"
    )
    reason: str = Field(default="", max_length=200)


class SwapStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Leg(BaseModel):
    """One role over one period handed to someone: a swap has one or two, an override one."""

    shift_id: str | None = Field(description="the planned shift a swap leg replaces; none for an override")
    starts_at: Instant
    ends_at: Instant
    role: DutyRole
    giver: Member | None
    taker: Member | None = Field(description="null: nobody holds the role (an override marking leave)")


class RosterChangeRead(BaseModel):
    id: str
    kind: str = Field(description="override | swap")
    community_code: str
    grid_id: str | None
    status: str
    in_force: bool
    starts_at: Instant
    ends_at: Instant
    legs: list[Leg]
    reason: str
    requested_by: str
    version: int


class SwapDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, le=INT32_MAX)
    note: str = Field(default="", max_length=200)


class DutyDeskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duty_phone: str = Field(max_length=24, description="the desk's public number (mobile or landline), in full")


class DutyDeskRead(BaseModel):
    community_code: str
    duty_phone: str
    version: int
    updated_at: Instant


class Gap(BaseModel):
    community_code: str
    role: DutyRole
    starts_at: Instant
    ends_at: Instant


class RosterFeedIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    valid_days: int | None = Field(default=None, ge=1, le=730, description="how long the link works; default 365")


class RosterFeedRead(BaseModel):
    url: str = Field(description="the calendar feed (text/calendar); anyone holding it sees the shifts in it")
    webcal_url: str = Field(description="the same feed as a webcal:// link, which phones open as a subscription")
    expires_at: Instant
