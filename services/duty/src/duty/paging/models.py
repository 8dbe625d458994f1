from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import Instant
from pydantic import BaseModel, ConfigDict, Field, field_validator

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class PageChannel(StrEnum):
    SMS = "sms"
    ROBOT = "robot"


class QuietHours(BaseModel):
    """Local (Asia/Shanghai) times; `starts` after `ends` spans midnight (22:00-07:00)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    starts: str = Field(pattern=HHMM)
    ends: str = Field(pattern=HHMM)


class PolicyPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(
        default=None, pattern=r"^1[3-9]\d{9}$", description="the mobile texted when paged; kept encrypted"
    )
    channels: list[PageChannel] = Field(
        min_length=1, max_length=2, description="the channels that page you, in the order they are sent"
    )
    quiet_hours: QuietHours | None = Field(
        default=None, description="when only urgent incidents (high, critical) are texted; others go to the group"
    )

    @field_validator("channels")
    @classmethod
    def _distinct(cls, channels: list[PageChannel]) -> list[PageChannel]:
        if len(set(channels)) != len(channels):
            raise ValueError("each channel once")
        return channels


class PolicyRead(BaseModel):
    subject: str
    phone_masked: str | None
    channels: list[PageChannel]
    quiet_hours: QuietHours | None
    updated_at: Instant | None


class AckView(BaseModel):
    """What an acknowledgement link's confirm page shows before anything is done."""

    incident_id: str
    kind: str
    kind_name: str
    summary: str
    community_code: str
    status: str
    level: int
    opened_at: Instant
    link_expires_at: Instant
    link_used: bool


class AckDone(BaseModel):
    incident_id: str
    status: str
    acknowledged_by: str | None
    acknowledged_at: Instant | None
    already: bool = Field(description="true when the incident had been acknowledged before this link was used")
