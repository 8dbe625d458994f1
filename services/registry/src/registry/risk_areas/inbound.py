"""The registry's own risk-area events, read back to start re-classification after they are published."""

from __future__ import annotations

from datetime import datetime

from gridline.events import InboundData

from registry.risk_areas import events


class RiskAreaChanged(InboundData):
    risk_area_id: str
    division_code: str
    declared_at: datetime | None = None
    lifted_at: datetime | None = None


TOPIC = events.TOPIC
DECLARED = events.DECLARED.type
LIFTED = events.LIFTED.type
