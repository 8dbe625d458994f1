from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import INT32_MAX, Instant
from pydantic import BaseModel, ConfigDict, Field

from duty.escalation.models import StepRole


class IncidentKind(StrEnum):
    FEVER = "fever"
    SYMPTOMS = "symptoms"
    HEALTH_CODE_YELLOW = "health_code_yellow"
    HEALTH_CODE_RED = "health_code_red"
    NAT_POSITIVE = "nat_positive"
    MISSED_CHECKINS = "missed_checkins"
    VENUE_FEVER = "venue_fever"
    VENUE_HEALTH_CODE = "venue_health_code"
    VENUE_OVER_CAPACITY = "venue_over_capacity"
    HELP_REQUEST_OVERDUE = "help_request_overdue"
    SUPPLY_BELOW_MINIMUM = "supply_below_minimum"
    SUPPLY_EXPIRING = "supply_expiring"
    OTHER = "other"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class SourceType(StrEnum):
    ALERT = "alert"
    CARE_REQUEST = "care_request"
    SUPPLY = "supply"
    MANUAL = "manual"


class IncidentStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Assignee(BaseModel):
    subject: str = Field(description="user id, or desk:<township code> for the township duty desk")
    name: str | None
    role: StepRole


class Escalation(BaseModel):
    level: int
    to_role: StepRole
    assignee: Assignee | None
    at: Instant


class Task(BaseModel):
    task_id: str
    template_id: str
    title: str
    owner_role: str
    owner: str | None = Field(description="user id or desk id, when the role was held by a known user")
    owner_name: str | None
    due_at: Instant
    status: str = Field(description="open | done")
    done_at: Instant | None = None
    done_by: str | None = None


class IncidentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    grid_id: str | None = Field(default=None, max_length=64)
    venue_id: str | None = Field(default=None, max_length=64)
    kind: IncidentKind
    severity: Severity
    summary: str = Field(min_length=1, max_length=200, description="what happened; no names, ID or phone numbers")


class IncidentRead(BaseModel):
    id: str
    community_code: str
    grid_id: str | None
    venue_id: str | None
    person_id: str | None = Field(description="opaque id of the person concerned, when there is one")
    kind: str
    severity: Severity
    source_type: SourceType
    source_id: str | None
    summary: str
    status: IncidentStatus
    level: int
    assignee: Assignee | None
    escalations: list[Escalation]
    tasks: list[Task]
    opened_at: Instant
    acknowledged_at: Instant | None
    acknowledged_by: str | None
    resolved_at: Instant | None
    resolved_by: str | None
    resolution: str | None
    version: int
    changed_at: Instant


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, le=INT32_MAX)


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=200)
    version: int | None = Field(default=None, ge=1, le=INT32_MAX)


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(pattern=r"^(open|done)$")


class PlanActivation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template_id: str = Field(min_length=1, max_length=64)


class IncidentChange(BaseModel):
    """One item of the live stream: the incident as it is after its latest step."""

    step: str = Field(description="opened | acknowledged | escalated | resolved | tasks")
    incident: IncidentRead
