"""What a client sends to register a person, and what it reads back (sensitive fields masked)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

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
    arrival_date: date | None = None
    origin_division_code: DivisionCode | None = Field(default=None, description="county or below, 6–12 digits")
    origin_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2")
    health_code: HealthCode = HealthCode.GREEN
    source: Text | None = Field(default=None, description="how the person was found: screening, list, self-report")


class PersonCreate(StrictModel):
    name: Text = Field(max_length=50)
    document: DocumentIn
    phone: str | None = Field(default=None, max_length=20)
    community_code: str = Field(pattern=r"^\d{12}$", description="12-digit village/community code")
    grid_id: str = Field(min_length=1, max_length=64)
    address: Text | None = Field(default=None, max_length=200)
    special_groups: list[SpecialGroup] = Field(default_factory=list, max_length=5)
    episodes: list[EpisodeCreate] = Field(default_factory=list, max_length=10)

    @field_validator("community_code")
    @classmethod
    def _community(cls, code: str) -> str:
        community_kind(code)
        return code


class EpisodeRead(BaseModel):
    id: str
    category: Category
    arrival_date: date | None
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
    starts_on: date | None
    ends_on: date | None
    nat_dates: list[date]
    classified_at: datetime


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
    status: str
    version: int
    registered_at: datetime
