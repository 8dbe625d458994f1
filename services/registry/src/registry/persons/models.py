"""What a client sends to register a person, and what it reads back (sensitive fields masked)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from gridline.http.bounds import INT32_MAX, CalendarDay, Instant
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from registry.divisions import community_kind
from registry.documents import DocumentType
from registry.vocabulary import Category, HealthCode, Measure, SpecialGroup

DivisionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}(\d{3}){0,2}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=200)


class DocumentIn(StrictModel):
    type: DocumentType
    number: str = Field(min_length=5, max_length=32)


class EpisodeCreate(StrictModel):
    """One stay in a key population: why the person is of concern this time."""

    category: Category
    arrival_date: CalendarDay | None = None
    origin_division_code: DivisionCode | None = Field(default=None, description="county or below, 6–12 digits")
    origin_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2")
    health_code: HealthCode = HealthCode.GREEN
    source: Text | None = Field(default=None, description="how the person was found: screening, list, self-report")


class GuardianIn(StrictModel):
    """Who answers for a child under 14 (PIPL art. 31): recorded with the child."""

    name: Text = Field(max_length=50)
    phone: str = Field(max_length=20)
    relation: Text = Field(max_length=20, description="e.g. 父亲, 母亲, 祖父母, 监护人")


class PersonCreate(StrictModel):
    name: Text = Field(max_length=50)
    document: DocumentIn
    phone: str | None = Field(default=None, max_length=20)
    community_code: str = Field(pattern=r"^\d{12}$", description="12-digit village/community code")
    grid_id: str = Field(min_length=1, max_length=64)
    address: Text | None = Field(default=None, max_length=200)
    special_groups: list[SpecialGroup] = Field(default_factory=list, max_length=5)
    episodes: list[EpisodeCreate] = Field(default_factory=list, max_length=10)
    birth_date: CalendarDay | None = Field(default=None, description="for documents that do not carry it")
    guardian: GuardianIn | None = Field(default=None, description="required for a child under 14")

    @field_validator("community_code")
    @classmethod
    def _community(cls, code: str) -> str:
        community_kind(code)
        return code


class EpisodeRead(BaseModel):
    id: str
    category: Category
    arrival_date: CalendarDay | None
    origin_division_code: str | None
    origin_country: str | None
    health_code: HealthCode
    source: str | None
    status: str


class ClassificationRead(BaseModel):
    measure: Measure
    rule_set_id: str
    rule_set_version: int
    rule_id: str | None
    starts_on: CalendarDay | None
    ends_on: CalendarDay | None
    nat_dates: list[CalendarDay]
    classified_at: Instant


class GuardianRead(BaseModel):
    name: str
    phone: str = Field(description="masked")
    relation: str


class PersonRead(BaseModel):
    id: str
    name: str
    gender: str | None
    document_type: DocumentType
    document_number: str = Field(description="masked, e.g. 110105********002X")
    phone: str | None = Field(description="masked, e.g. 138****1234")
    community_code: str
    grid_id: str
    address: str | None
    special_groups: list[SpecialGroup]
    episodes: list[EpisodeRead]
    classification: ClassificationRead | None
    guardian: GuardianRead | None = None
    status: str
    merged_into: str | None = None
    version: int
    registered_at: Instant


class PersonUpdate(StrictModel):
    """Only the fields given change; `version` (optional) refuses the change if someone changed it first."""

    version: int | None = Field(default=None, ge=1, le=INT32_MAX)
    name: Text | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    address: Text | None = Field(default=None, max_length=200)
    grid_id: str | None = Field(default=None, min_length=1, max_length=64, description="a grid of the same community")
    special_groups: list[SpecialGroup] | None = Field(default=None, max_length=5)
    guardian: GuardianIn | None = None


class EpisodeUpdate(StrictModel):
    version: int | None = Field(default=None, ge=1, le=INT32_MAX)
    status: Literal["active", "closed"] | None = None
    health_code: HealthCode | None = None
    arrival_date: CalendarDay | None = None
    origin_division_code: DivisionCode | None = None


class TransferRequest(StrictModel):
    community_code: str = Field(pattern=r"^\d{12}$")
    grid_id: str = Field(min_length=1, max_length=64)
    reason: Text = Field(max_length=200)


class MergeRequest(StrictModel):
    duplicate_person_id: str = Field(min_length=1, max_length=64)
    reason: Text = Field(max_length=200)


class RevealPurpose(StrEnum):
    CONTACT = "contact"  # 联系本人
    VERIFICATION = "verification"  # 核验身份
    ASSIST_LIST = "assist_list"  # 协查落实
    MEDICAL_REFERRAL = "medical_referral"  # 转运就医


class RevealRequest(StrictModel):
    purpose: RevealPurpose
    detail: Text = Field(min_length=4, max_length=200, description="why, in words a reviewer understands")
    fields: list[Literal["document_number", "phone", "guardian_phone"]] = Field(min_length=1, max_length=3)


class RevealRead(BaseModel):
    person_id: str
    audit_id: str
    document_number: str | None = None
    phone: str | None = None
    guardian_phone: str | None = None


class AuditEntryRead(BaseModel):
    id: str
    person_id: str
    actor: str
    actor_name: str | None = Field(default=None, description="the actor's name as their token gave it, if any")
    roles: list[str]
    action: str
    purpose: str
    detail: str
    fields: list[str]
    at: Instant
