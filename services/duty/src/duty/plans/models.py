from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import Instant
from pydantic import BaseModel, ConfigDict, Field

from duty.incidents.models import IncidentKind
from duty.venues.models import VenueKind


class OwnerRole(StrEnum):
    DUTY_OFFICER = "duty_officer"
    LEADER = "leader"
    GRID_MANAGER = "grid_manager"
    VENUE_MANAGER = "venue_manager"
    TOWNSHIP_DESK = "township_desk"


class TaskTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=100)
    owner_role: OwnerRole = Field(description="resolved to a person when the plan is activated")
    due_minutes: int = Field(ge=0, le=10080, description="due this long after activation")


class PlanTemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    division_code: str = Field(pattern=r"^(\d{6}|\d{9}|\d{12})$", description="applies to this division and below")
    name: str = Field(min_length=1, max_length=80)
    triggers: list[IncidentKind] = Field(
        default_factory=list,
        max_length=20,
        description="incident kinds that activate it on opening; none: by hand only",
    )
    venue_kinds: list[VenueKind] = Field(
        default_factory=list, max_length=5, description="only for incidents at venues of these kinds; none: any"
    )
    tasks: list[TaskTemplate] = Field(min_length=1, max_length=30)


class PlanTemplateRead(BaseModel):
    id: str
    division_code: str
    name: str
    triggers: list[IncidentKind]
    venue_kinds: list[VenueKind]
    tasks: list[TaskTemplate]
    created_at: Instant
