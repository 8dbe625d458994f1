from __future__ import annotations

from datetime import date
from enum import StrEnum

from gridline.http.bounds import INT32_MAX, CalendarDay, Instant
from pydantic import BaseModel, ConfigDict, Field, model_validator


class SupplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    venue_id: str | None = Field(
        default=None, max_length=64, description="kept at a venue; none: the community's store"
    )
    item: str = Field(min_length=1, max_length=40, description="口罩, 体温计, 消毒液, 防护服 …")
    unit: str = Field(min_length=1, max_length=10)
    minimum: int = Field(ge=0, le=1_000_000, description="minimum reserve; going below it opens an incident")


class SupplyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minimum: int = Field(ge=0, le=1_000_000)
    version: int | None = Field(default=None, ge=1, le=INT32_MAX)


class MovementKind(StrEnum):
    RECEIVED = "received"
    ISSUED = "issued"
    DISPOSED = "disposed"


class MovementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MovementKind
    quantity: int = Field(ge=1, le=1_000_000)
    expires_on: CalendarDay | None = Field(
        default=None,
        description="received: the lot's expiry date; disposed: the lot disposed of (none: earliest first)",
    )

    @model_validator(mode="after")
    def _lot(self) -> MovementCreate:
        if self.expires_on is not None and not date(2000, 1, 1) <= self.expires_on <= date(2099, 12, 31):
            raise ValueError("expires_on is not a plausible expiry date")
        if self.kind is MovementKind.ISSUED and self.expires_on is not None:
            raise ValueError("issued stock is taken from the earliest-expiring lots; expires_on is not given")
        return self


class Lot(BaseModel):
    expires_on: CalendarDay | None
    quantity: int


class SupplyRead(BaseModel):
    id: str
    community_code: str
    venue_id: str | None
    item: str
    unit: str
    quantity: int
    minimum: int
    below_minimum: bool
    lots: list[Lot]
    version: int
    updated_at: Instant


class MovementRead(BaseModel):
    id: str
    supply_id: str
    kind: MovementKind
    quantity: int
    expires_on: CalendarDay | None
    quantity_after: int
    by: str
    at: Instant
