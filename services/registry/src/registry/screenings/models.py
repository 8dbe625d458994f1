from __future__ import annotations

from typing import Literal

from gridline.http.bounds import AwareInstant, CalendarDay, Instant, Key
from pydantic import BaseModel, ConfigDict, Field, field_validator

from registry.divisions import community_kind
from registry.persons.models import DocumentIn, EpisodeCreate, GuardianIn, Text
from registry.vocabulary import SpecialGroup


class ScreenedNewPerson(BaseModel):
    """Someone met at the household who is not registered yet; registered in the screening's grid."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(max_length=50)
    document: DocumentIn
    phone: str | None = Field(default=None, max_length=20)
    special_groups: list[SpecialGroup] = Field(default_factory=list, max_length=5)
    episodes: list[EpisodeCreate] = Field(default_factory=list, max_length=10)
    birth_date: CalendarDay | None = None
    guardian: GuardianIn | None = None


class ScreeningCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    grid_id: str = Field(min_length=1, max_length=64)
    household: Text = Field(max_length=200, description="the address visited")
    method: Literal["door_to_door", "phone"]
    screened_at: AwareInstant | None = Field(default=None, description="now if left out")
    found: list[Key] = Field(default_factory=list, max_length=50, description="registered persons met there")
    away: list[Key] = Field(default_factory=list, max_length=50, description="registered persons not there")
    new_persons: list[ScreenedNewPerson] = Field(default_factory=list, max_length=20)
    note: str | None = Field(default=None, max_length=500)

    @field_validator("community_code")
    @classmethod
    def _community(cls, code: str) -> str:
        community_kind(code)
        return code


class NewPersonOutcome(BaseModel):
    index: int
    person_id: str
    outcome: Literal["registered", "already_registered"]


class ScreeningRead(BaseModel):
    id: str
    community_code: str
    grid_id: str
    household: str
    method: str
    screened_at: Instant
    found: list[str]
    away: list[str]
    new_persons: list[NewPersonOutcome]
    note: str | None
    screened_by: str
    screened_by_name: str | None = Field(default=None, description="the screener's name as their token gave it")
