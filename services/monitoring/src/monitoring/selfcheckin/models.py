from __future__ import annotations

from gridline.http.bounds import CalendarDay, Instant
from pydantic import BaseModel, ConfigDict, Field

from monitoring.communities.models import CallRead
from monitoring.vocabulary import Symptom


class LinkIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    valid_days: int | None = Field(
        default=None, ge=1, le=90, description="days the link works (never past the plan's last day)"
    )


class LinkRead(BaseModel):
    link_id: str
    plan_id: str
    url: str = Field(description="the resident page, carrying the link's token")
    token: str = Field(description="send as X-Link-Token to selfCheckin")
    expires_at: Instant
    qr_svg: str = Field(description="the URL as a QR code, SVG document for print")
    qr_png_base64: str = Field(description="the URL as a QR code, PNG image in base64 for chat apps")


class SelfCheckinForm(BaseModel):
    """What the resident page shows before a check-in: no name, no ID number, only what they need."""

    plan_id: str
    measure: str
    ends_on: CalendarDay
    day: CalendarDay
    slots_today: int
    slots_done: int
    symptoms: list[Symptom] = Field(description="the list to pick from")
    call: CallRead
