"""What the provincial platform pushes, what a worker changes, and what both read back (always masked)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from gridline.http.bounds import AwareInstant, Instant
from pydantic import BaseModel, Field, StringConstraints, field_validator

from registry.divisions import community_kind
from registry.persons.models import DocumentIn, StrictModel, Text

MAX_ENTRIES = 5000
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,64}$")]


class EntryStatus(StrEnum):
    PENDING = "pending"  # 待核查
    LOCATED = "located"  # 已落实
    NOT_FOUND = "not_found"  # 查无此人
    MOVED_AWAY = "moved_away"  # 转出


class Match(StrEnum):
    MATCHED = "matched"  # a registered person holds this document
    PENDING_REGISTRATION = "pending_registration"  # nobody yet: the community has someone to register


class ReportState(StrEnum):
    SCHEDULED = "scheduled"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"
    NOT_CONFIGURED = "not_configured"


class EntryIn(StrictModel):
    entry_id: Identifier
    name: Text = Field(max_length=50)
    document: DocumentIn
    phone: str | None = Field(default=None, max_length=20)
    community_code: str = Field(pattern=r"^\d{12}$", description="12-digit village/community code")
    reason: Text | None = Field(default=None, max_length=200, description="why the person is to be found")

    @field_validator("community_code")
    @classmethod
    def _community(cls, code: str) -> str:
        community_kind(code)
        return code


class AssistListPush(StrictModel):
    list_id: Identifier
    issued_by: Text = Field(max_length=100, description="the issuing authority")
    deadline: AwareInstant
    entries: list[EntryIn] = Field(min_length=1, max_length=MAX_ENTRIES)


class AssistListReceipt(BaseModel):
    """The answer to a push; a retry of the same push gets the same one."""

    list_id: str
    received_at: Instant
    entries: int
    matched: int
    pending_registration: int


class EntryUpdate(StrictModel):
    status: EntryStatus
    note: str | None = Field(default=None, max_length=500)


class ReportRead(BaseModel):
    """How the report of the entry's current status version is getting on."""

    version: int
    state: ReportState
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    last_attempt_at: Instant | None = None


class EntryRead(BaseModel):
    list_id: str
    entry_id: str
    name: str = Field(description="masked, e.g. 王*国")
    document_type: str
    document_number: str = Field(description="masked, e.g. 110105********002X")
    phone: str | None = Field(description="masked, e.g. 138****1234")
    community_code: str
    reason: str | None
    status: EntryStatus
    version: int
    note: str | None
    match: Match
    person_id: str | None
    updated_at: Instant
    report: ReportRead


class AssistListSummary(BaseModel):
    """A list as one line of the lists to work through: its counts in your jurisdiction, no entries."""

    list_id: str
    issued_by: str
    deadline: Instant
    received_at: Instant
    complete: bool = Field(description="false while a push was interrupted and not yet retried")
    statuses: dict[EntryStatus, int] = Field(description="entries in your jurisdiction, by status")


class AssistListRead(BaseModel):
    list_id: str
    issued_by: str
    deadline: Instant
    received_at: Instant
    complete: bool = Field(description="false while a push was interrupted and not yet retried")
    statuses: dict[EntryStatus, int] = Field(description="entries in your jurisdiction, by status")
    entries: list[EntryRead]
    next_cursor: str | None


class DeliveryRead(BaseModel):
    entry_id: str | None = Field(description="none for the list's receipt, which reports every entry at version 1")
    entries: int | None = Field(default=None, description="how many entries the list's receipt reports")
    version: int
    status: EntryStatus
    attempt: int
    outcome: str
    status_code: int | None
    error: str | None
    attempted_at: Instant
    duration_ms: int
