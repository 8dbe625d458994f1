"""A request as stored, and the events it announces (pure but for time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gridline.auth import scope_keys
from gridline.clock import Clock
from gridline.events import Event, EventData, EventSpec
from gridline.outbox import make_event

from care.requests import events
from care.requests.events import SOURCE
from care.settings import Deadline
from care.vocabulary import Status

COLLECTION = "requests"


@dataclass(frozen=True)
class Draft:
    """Everything a new request needs, whichever way it came in."""

    community_code: str
    grid_id: str | None
    person_id: str | None
    type: str
    priority: str
    needs: str
    source: str
    opened_by: str
    needed_by: datetime | None = None
    contact: dict[str, Any] | None = None
    template_id: str | None = None
    cause: dict[str, str] = field(default_factory=dict)


def deadlines(deadline: Deadline, *, opened_at: datetime, needed_by: datetime | None) -> tuple[datetime, datetime]:
    """Acknowledge by, fulfil by: from the configured deadline, sooner when the resident needs it sooner."""
    acknowledge_by = opened_at + deadline.acknowledge
    fulfil_by = opened_at + deadline.fulfil
    if needed_by is not None and needed_by < fulfil_by:
        fulfil_by = max(needed_by, acknowledge_by)
    return acknowledge_by, fulfil_by


def new_request(draft: Draft, *, request_id: str, deadline: Deadline, now: datetime) -> dict[str, Any]:
    acknowledge_by, fulfil_by = deadlines(deadline, opened_at=now, needed_by=draft.needed_by)
    return {
        "_id": request_id,
        "community_code": draft.community_code,
        "grid_id": draft.grid_id,
        "person_id": draft.person_id,
        "scope": scope_keys(draft.community_code, draft.grid_id),
        "type": draft.type,
        "priority": draft.priority,
        "needs": draft.needs,
        "needed_by": draft.needed_by,
        "acknowledge_by": acknowledge_by,
        "fulfil_by": fulfil_by,
        "source": draft.source,
        "status": Status.OPEN.value,
        "completeness": None,
        "assignee": None,
        "contact": draft.contact,
        "overdue": {"acknowledge": None, "fulfil": None},
        "history": [history(now, draft.opened_by, "opened", Status.OPEN)],
        "template_id": draft.template_id,
        "cause": draft.cause,
        "opened_at": now,
        "opened_by": draft.opened_by,
        "updated_at": now,
        "version": 1,
    }


def history(
    at: datetime, by: str, action: str, status: Status, *, helper_id: str | None = None, note: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"at": at, "by": by, "action": action, "status": status.value}
    if helper_id:
        entry["helper_id"] = helper_id
    if note:
        entry["note"] = note
    return entry


def assignee(helper: dict[str, Any]) -> dict[str, Any]:
    return {
        "helper_id": helper["_id"],
        "account": helper.get("account"),
        "name": helper["name"],
        "kind": helper["kind"],
    }


def opened_data(doc: dict[str, Any]) -> events.RequestOpened:
    return events.RequestOpened(
        request_id=doc["_id"],
        community_code=doc["community_code"],
        grid_id=doc["grid_id"],
        person_id=doc["person_id"],
        type=doc["type"],
        priority=doc["priority"],
        needed_by=doc["needed_by"],
        acknowledge_by=doc["acknowledge_by"],
        fulfil_by=doc["fulfil_by"],
        source=doc["source"],
        opened_at=doc["opened_at"],
    )


def event(
    spec: EventSpec,
    doc: dict[str, Any],
    data: EventData,
    *,
    clock: Clock,
    cause: Event | None = None,
    consumer: str = "",
    event_id: str | None = None,
) -> Event:
    return make_event(
        spec, source=SOURCE, key=doc["_id"], data=data, clock=clock, cause=cause, consumer=consumer, event_id=event_id
    )
