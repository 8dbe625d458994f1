"""The `alert.raised` events a finding causes, written by the same write as their cause.

An alert's id derives from its cause (a check-in, a venue entry, a plan's missed day) and its kind, so the
alert a retried or repeated cause would raise is the very same alert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from gridline.clock import Clock
from gridline.events import Event
from gridline.outbox import make_event

from monitoring.alerts import events
from monitoring.rules.evaluation import Finding

SOURCE = "/gridline/monitoring"
_NS = uuid.UUID("5d7f3f0a-7c55-4d8e-9a57-8c3c2b8f1e41")


@dataclass(frozen=True)
class Cause:
    """What an alert is about: where, whom, and the record that caused it."""

    key: str  # the causing record's id (check-in, venue entry, plan day)
    community_code: str
    grid_id: str | None = None
    person_id: str | None = None
    plan_id: str | None = None
    checkin_id: str | None = None
    venue_id: str | None = None


def alert_id(cause_key: str, kind: str) -> str:
    return str(uuid.uuid5(_NS, f"{cause_key}|{kind}"))


def raised_events(findings: list[Finding], cause: Cause, *, at: datetime, clock: Clock) -> list[Event]:
    return [raised_event(f, cause, at=at, clock=clock) for f in findings]


def raised_event(finding: Finding, cause: Cause, *, at: datetime, clock: Clock) -> Event:
    identifier = alert_id(cause.key, finding.kind.value)
    data = events.AlertRaised(
        alert_id=identifier,
        kind=finding.kind.value,
        severity=finding.severity.value,
        community_code=cause.community_code,
        grid_id=cause.grid_id,
        person_id=cause.person_id,
        plan_id=cause.plan_id,
        checkin_id=cause.checkin_id,
        venue_id=cause.venue_id,
        reason=finding.reason,
        raised_at=at,
    )
    # The event id derives from the alert id: a cause written twice can only ever announce one alert.
    event_id = str(uuid.uuid5(_NS, f"{identifier}|raised"))
    return make_event(events.RAISED, source=SOURCE, key=identifier, data=data, clock=clock, event_id=event_id)
