from __future__ import annotations

from gridline.http.bounds import AwareInstant, Instant
from pydantic import BaseModel, ConfigDict, Field

from registry.vocabulary import RiskLevel


class RiskAreaDeclare(BaseModel):
    model_config = ConfigDict(extra="forbid")

    division_code: str = Field(pattern=r"^\d{6}(\d{3}){0,2}$", description="county (6), township (9) or community (12)")
    level: RiskLevel = Field(description="medium or high")
    declared_at: AwareInstant | None = Field(default=None, description="when it takes effect; now if left out")
    reason: str = Field(default="", max_length=200)


class RiskAreaLift(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lifted_at: AwareInstant | None = Field(default=None, description="when it ends; now if left out")


class RiskAreaRead(BaseModel):
    id: str
    division_code: str
    level: RiskLevel
    declared_at: Instant
    lifted_at: Instant | None
    reason: str
    status: str
