from __future__ import annotations

from enum import StrEnum

from gridline.http.bounds import Instant
from pydantic import BaseModel, ConfigDict, Field


class Outcome(StrEnum):
    """Why an alert was closed; a code, so the reason on Kafka never carries free text about a person."""

    HANDLED = "handled"  # 已处置
    FALSE_ALARM = "false_alarm"  # 误报
    REFERRED_TO_HOSPITAL = "referred_to_hospital"  # 已转诊就医
    ISOLATED = "isolated"  # 已落实隔离管控
    DATA_CORRECTED = "data_corrected"  # 数据录入有误已更正
    OTHER = "other"


class AlertResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    note: str | None = Field(default=None, max_length=500, description="what was done, for the record (not published)")


class AlertRead(BaseModel):
    id: str
    kind: str
    severity: str
    status: str
    community_code: str
    grid_id: str | None
    person_id: str | None
    plan_id: str | None
    checkin_id: str | None
    venue_id: str | None
    reason: str
    raised_at: Instant
    acknowledged_by: str | None = None
    acknowledged_at: Instant | None = None
    resolved_by: str | None = None
    resolved_at: Instant | None = None
    outcome: str | None = None
    note: str | None = Field(default=None, description="the resolution note; shown by getAlert, left out of lists")
    version: int
