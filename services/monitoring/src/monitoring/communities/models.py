from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class CommunitySettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cutoff_time: str | None = Field(
        default=None, pattern=HHMM, description="daily check-in cut-off, Beijing time, e.g. 20:00"
    )
    duty_phone: str | None = Field(
        default=None,
        pattern=r"^[0-9+\-]{5,20}$",
        description="the community duty desk's published work number (public information, shown in full)",
    )


class CommunitySettingsRead(BaseModel):
    community_code: str
    cutoff_time: str
    duty_phone: str | None
    duty_phone_source: str | None = Field(description="`monitoring` when set here, `duty` when duty published it")
    version: int


class CallRead(BaseModel):
    """Whom a resident calls: published work numbers, public by the notice, so shown in full."""

    grid_manager_phone: str | None
    duty_phone: str | None
