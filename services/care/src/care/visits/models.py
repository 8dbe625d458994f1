"""What a visitor records, and what workers read about visits."""

from __future__ import annotations

from typing import Annotated

from gridline.http.bounds import CalendarDay, Instant
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from care.vocabulary import RequestType, VisitKind, VisitOutcome

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class VisitRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: VisitOutcome
    method: VisitKind | None = Field(default=None, description="how the visit was made; the cadence's kind if omitted")
    needs: list[RequestType] = Field(default_factory=list, max_length=len(RequestType))
    notes: Text | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _needs_named(self) -> VisitRecord:
        if self.outcome is VisitOutcome.NEEDS_FOUND and not self.needs:
            raise ValueError("name the needs found")
        if len(set(self.needs)) != len(self.needs):
            raise ValueError("needs must be distinct")
        return self


class VisitRead(BaseModel):
    id: str
    member_id: str
    community_code: str
    grid_id: str | None
    group: str
    kind: VisitKind
    due_on: CalendarDay
    overdue_at: Instant
    status: str = Field(description="due, overdue, recorded, or dropped (the member left the group)")
    outcome: VisitOutcome | None
    method: VisitKind | None
    needs: list[RequestType]
    notes: str | None
    recorded_by: str | None
    recorded_at: Instant | None
    version: int
