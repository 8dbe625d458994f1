"""Care's own tolerant copy of monitoring's `alert.raised` (see CONTRACTS.md): only what care needs."""

from __future__ import annotations

from datetime import datetime

from gridline.events import InboundData, event_type

ALERT_TOPIC = "monitoring.alert.v1"
ALERT_RAISED = event_type("monitoring", "alert", "raised")


class AlertRaised(InboundData):
    alert_id: str
    kind: str
    severity: str
    community_code: str
    grid_id: str | None = None
    person_id: str | None = None
    reason: str = ""
    raised_at: datetime | None = None
