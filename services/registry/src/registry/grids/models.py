from __future__ import annotations

from gridline.http.bounds import INT32_MAX, Instant, ShortText
from pydantic import BaseModel, ConfigDict, Field, field_validator

from registry.divisions import community_kind
from registry.grids.phones import validate_work_phone

WORK_PHONE_DOC = "a work number the manager chose to publish (mobile or landline); shown in full on public boards"


class GridCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=50)
    manager_name: str = Field(min_length=1, max_length=50)
    manager_phone: str = Field(max_length=20, description="private; stored encrypted, only ever shown masked")
    manager_work_phone: str | None = Field(default=None, max_length=24, description=WORK_PHONE_DOC)
    covers: list[ShortText] = Field(default_factory=list, max_length=500, description="buildings or households")

    @field_validator("manager_work_phone")
    @classmethod
    def _work_phone(cls, phone: str | None) -> str | None:
        return None if phone is None else validate_work_phone(phone)

    @field_validator("community_code")
    @classmethod
    def _community(cls, code: str) -> str:
        community_kind(code)
        return code


class GridUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        default=None, ge=1, le=INT32_MAX, description="refuse the change if someone changed it first"
    )
    name: str | None = Field(default=None, min_length=1, max_length=50)
    manager_name: str | None = Field(default=None, min_length=1, max_length=50)
    manager_phone: str | None = Field(default=None, max_length=20)
    manager_work_phone: str | None = Field(
        default=None, max_length=24, description=WORK_PHONE_DOC + "; null withdraws it"
    )
    covers: list[ShortText] | None = Field(default=None, max_length=500)

    @field_validator("manager_work_phone")
    @classmethod
    def _work_phone(cls, phone: str | None) -> str | None:
        return None if phone is None else validate_work_phone(phone)


class GridRead(BaseModel):
    id: str
    community_code: str
    name: str
    manager_name: str
    manager_phone: str = Field(description="masked")
    manager_work_phone: str | None = Field(default=None, description="published work number, in full")
    covers: list[str]
    version: int
    created_at: Instant
