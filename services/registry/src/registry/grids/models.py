from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from registry.divisions import community_kind


class GridCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    community_code: str = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=50)
    manager_name: str = Field(min_length=1, max_length=50)
    manager_phone: str = Field(max_length=20)
    covers: list[str] = Field(default_factory=list, max_length=500, description="buildings or households")

    @field_validator("community_code")
    @classmethod
    def _community(cls, code: str) -> str:
        community_kind(code)
        return code


class GridUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, description="refuse the change if someone changed it first")
    name: str | None = Field(default=None, min_length=1, max_length=50)
    manager_name: str | None = Field(default=None, min_length=1, max_length=50)
    manager_phone: str | None = Field(default=None, max_length=20)
    covers: list[str] | None = Field(default=None, max_length=500)


class GridRead(BaseModel):
    id: str
    community_code: str
    name: str
    manager_name: str
    manager_phone: str = Field(description="masked")
    covers: list[str]
    version: int
    created_at: datetime
