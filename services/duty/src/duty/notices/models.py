from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import Instant
from pydantic import BaseModel, ConfigDict, Field, model_validator


class NoticeKind(StrEnum):
    HEALTH_EDUCATION = "health_education"
    RISK_AREAS = "risk_areas"
    STAY_PUT = "stay_put"
    STAGGERED_RETURN = "staggered_return"
    OTHER = "other"


class NoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    kind: NoticeKind
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=5000)
    valid_from: Instant
    valid_until: Instant

    @model_validator(mode="after")
    def _period(self) -> NoticeCreate:
        if self.valid_from.tzinfo is None or self.valid_until.tzinfo is None:
            raise ValueError("valid_from and valid_until need an offset")
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class NoticeRead(BaseModel):
    id: str
    community_code: str
    kind: NoticeKind
    title: str
    body: str
    valid_from: Instant
    valid_until: Instant
    status: str = Field(description="published | withdrawn | expired")
    published_at: Instant
