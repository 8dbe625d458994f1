"""What a worker sends to set up a recurring request, and reads back."""

from __future__ import annotations

from typing import Annotated

from gridline.http.bounds import CalendarDay, Instant
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from care.contacts import ContactIn, ContactRead
from care.vocabulary import Priority, RequestType

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Clock24 = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class TemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str | None = Field(default=None, min_length=1, max_length=64)
    community_code: str | None = Field(default=None, pattern=r"^\d{12}$", description="required without person_id")
    grid_id: str | None = Field(default=None, min_length=1, max_length=64)
    type: RequestType
    priority: Priority = Priority.NORMAL
    needs: Text = Field(max_length=500)
    every_days: int = Field(ge=1, le=31, description="7 for weekly")
    first_on: CalendarDay = Field(description="the day the first request opens (Asia/Shanghai)")
    at: Clock24 = Field(default="09:00", description="local time each request opens")
    last_on: CalendarDay | None = Field(default=None, description="no request opens after this day")
    contact: ContactIn | None = None

    @model_validator(mode="after")
    def _last_after_first(self) -> TemplateCreate:
        if self.last_on is not None and self.last_on < self.first_on:
            raise ValueError("last_on must not be before first_on")
        return self


class TemplateRead(BaseModel):
    id: str
    person_id: str | None
    community_code: str
    grid_id: str | None
    type: RequestType
    priority: Priority
    needs: str
    every_days: int
    first_on: CalendarDay
    at: str
    last_on: CalendarDay | None
    next_on: CalendarDay | None
    active: bool
    contact: ContactRead | None
    opened_requests: int
    created_at: Instant
    version: int
