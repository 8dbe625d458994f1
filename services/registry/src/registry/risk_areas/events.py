from __future__ import annotations

from datetime import datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "registry.risk-area.v1"


class RiskAreaDeclared(EventData):
    risk_area_id: str
    division_code: str
    level: str
    declared_at: datetime
    reason: str


class RiskAreaLifted(EventData):
    risk_area_id: str
    division_code: str
    level: str
    lifted_at: datetime


DECLARED = EventSpec(
    TOPIC,
    event_type("registry", "risk_area", "declared"),
    RiskAreaDeclared,
    "A medium- or high-risk area was declared; people who came from it are re-classified.",
)
LIFTED = EventSpec(
    TOPIC,
    event_type("registry", "risk_area", "lifted"),
    RiskAreaLifted,
    "A risk area was lifted; people who came from it are re-classified.",
)
