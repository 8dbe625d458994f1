from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import Instant
from pydantic import BaseModel, ConfigDict, Field


class StepRole(StrEnum):
    DUTY_OFFICER = "duty_officer"
    LEADER = "leader"
    TOWNSHIP_DESK = "township_desk"


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: StepRole
    wait_minutes: int = Field(ge=0, le=1440, description="how long this step waits for an acknowledgement")


class PolicyPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[Step] = Field(min_length=1, max_length=6, description="the chain, first step first")
    max_repeats: int = Field(ge=0, le=10, description="how often the last step is asked again before stopping")


class PolicyRead(BaseModel):
    division_code: str = Field(description="where it applies: a community, a township or a county and below")
    steps: list[Step]
    max_repeats: int
    version: int
    updated_at: Instant | None
