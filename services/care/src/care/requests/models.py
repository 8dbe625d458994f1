"""What clients send to open and work a help request, and what they read back (contacts masked)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from gridline.http.bounds import AwareInstant, Instant
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from care.contacts import ContactIn, ContactRead
from care.vocabulary import Completeness, HelperKind, Priority, RequestType, Source, Status

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=1000)


class RequestCreate(StrictModel):
    """A request opened by a worker. With `person_id` of a member, it lands in the member's community."""

    person_id: Id | None = None
    community_code: str | None = Field(default=None, pattern=r"^\d{12}$", description="required without person_id")
    grid_id: Id | None = None
    type: RequestType
    priority: Priority = Priority.NORMAL
    needs: Text = Field(max_length=500, description="what is needed, in words the helper understands")
    needed_by: AwareInstant | None = Field(default=None, description="with its UTC offset")
    contact: ContactIn | None = Field(default=None, description="sealed at rest; the member's contact when omitted")


class ResidentRequestCreate(StrictModel):
    """A request a resident opens through their help link."""

    type: RequestType
    needs: Text = Field(max_length=500)
    urgent: bool = False
    needed_by: AwareInstant | None = Field(default=None, description="with its UTC offset")
    contact: ContactIn | None = None


class AssignBody(StrictModel):
    helper_id: Id
    note: Text | None = Field(default=None, max_length=200)


class StepBody(StrictModel):
    note: Text | None = Field(default=None, max_length=200)


class FulfilBody(StrictModel):
    completeness: Completeness = Completeness.COMPLETE
    note: Text | None = Field(default=None, max_length=500, description="for a partial fulfilment: what is missing")


class CancelBody(StrictModel):
    reason: Text = Field(max_length=200)


class RevealPurpose(StrEnum):
    CONTACT = "contact"  # 联系求助人
    DELIVERY = "delivery"  # 上门送达


class RevealBody(StrictModel):
    purpose: RevealPurpose
    detail: Text | None = Field(default=None, max_length=200)


class AssigneeRead(BaseModel):
    helper_id: str
    name: str
    kind: HelperKind


class HistoryRead(BaseModel):
    at: Instant
    by: str
    action: str
    status: Status
    helper_id: str | None = None
    note: str | None = None


class OverdueRead(BaseModel):
    acknowledge: Instant | None = None
    fulfil: Instant | None = None


class RequestRead(BaseModel):
    id: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    type: RequestType
    priority: Priority
    needs: str
    needed_by: Instant | None
    acknowledge_by: Instant
    fulfil_by: Instant
    source: Source
    status: Status
    completeness: Completeness | None
    assignee: AssigneeRead | None
    contact: ContactRead | None
    overdue: OverdueRead
    history: list[HistoryRead]
    template_id: str | None = None
    opened_at: Instant
    updated_at: Instant
    version: int


class SuggestionRead(BaseModel):
    helper_id: str
    name: str
    kind: HelperKind
    skills: list[RequestType]
    load: int
    last_assigned_at: Instant | None


class Suggestions(BaseModel):
    request_id: str
    items: list[SuggestionRead]


class RevealRead(BaseModel):
    request_id: str
    audit_id: str
    name: str | None
    phone: str | None
    address: str | None


class AuditEntryRead(BaseModel):
    id: str
    request_id: str
    actor: str
    roles: list[str]
    action: str
    purpose: str
    detail: str | None
    fields: list[str]
    at: Instant
