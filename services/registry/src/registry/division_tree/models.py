from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DivisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^(\d{9}|\d{12})$", description="township (9 digits) or village/community (12)")
    name: str = Field(min_length=1, max_length=60)


class DivisionRead(BaseModel):
    code: str
    name: str
    level: str = Field(description="province, city, county, township, community or village")
    parent: str | None


class DivisionImportResult(BaseModel):
    created: int
    existing: int
    errors: list[dict[str, str | int]]
