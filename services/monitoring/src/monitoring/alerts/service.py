"""The alerts people work on: kept from `alert.raised`, acknowledged, resolved with who and why, never deleted.

An alert is raised by the write of whatever caused it (a check-in, a venue entry, a cut-off), so it cannot be
lost; this collection is built from those events by an idempotent insert, and every later change is a
version-guarded write carrying its own event.
"""

from __future__ import annotations

import contextlib
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import Conflict, NotFound
from gridline.events import Event
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, DuplicateKeyError, Index, update_guarded
from gridline.outbox import make_event, with_events

from monitoring.alerts import events
from monitoring.alerts.inbound import AlertRaisedIn
from monitoring.alerts.models import AlertRead, AlertResolve
from monitoring.vocabulary import AlertStatus

COLLECTION = "alerts"
SOURCE = "/gridline/monitoring"
INDEXES = [
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("status", 1), ("_id", 1))),
    Index(COLLECTION, (("scope", 1), ("kind", 1), ("_id", 1))),
    Index(COLLECTION, (("plan_id", 1), ("_id", 1))),
]
_HIDDEN = {"_outbox": 0, "_outbox_at": 0}


async def keep(*, db: Database, event: Event, data: AlertRaisedIn) -> None:
    """Store a raised alert once; a redelivered event collides with it and changes nothing."""
    alert = {
        "_id": data.alert_id,
        **data.model_dump(exclude={"alert_id"}),
        "scope": scope_keys(data.community_code, data.grid_id),
        "status": AlertStatus.OPEN.value,
        "version": 1,
        "raised_event_id": event.id,
    }
    with contextlib.suppress(DuplicateKeyError):
        await db[COLLECTION].insert_one(alert)


async def get(*, db: Database, principal: Principal, alert_id: str) -> dict[str, Any]:
    alert = await db[COLLECTION].find_one({"_id": alert_id}, _HIDDEN)
    if alert is None or not principal.covers(alert["scope"]):
        raise NotFound("alert")
    return alert


async def list_page(
    *, db: Database, principal: Principal, filters: dict[str, Any], page: PageParams
) -> Page[AlertRead]:
    query = {**principal.scope_filter(), **{k: v for k, v in filters.items() if v is not None}}
    # A list leaves out the resolution note: free text written about a person is shown one alert at a time.
    return await paginate(db[COLLECTION], query, page, to_read, projection={**_HIDDEN, "note": 0})


async def acknowledge(*, db: Database, clock: Clock, principal: Principal, alert_id: str) -> dict[str, Any]:
    """Take an open alert in hand; acknowledging it again changes nothing."""
    alert = await get(db=db, principal=principal, alert_id=alert_id)
    if alert["status"] == AlertStatus.ACKNOWLEDGED:
        return alert
    if alert["status"] != AlertStatus.OPEN:
        raise Conflict("该预警已处置完毕", status=alert["status"])
    fields = {
        "status": AlertStatus.ACKNOWLEDGED.value,
        "acknowledged_by": principal.subject,
        "acknowledged_at": clock.now(),
    }
    data = events.AlertAcknowledged(**_common(alert), by=principal.subject, at=clock.now())
    return await _write(
        db, clock, alert, fields, make_event(events.ACKNOWLEDGED, source=SOURCE, key=alert_id, data=data, clock=clock)
    )


async def resolve(
    *, db: Database, clock: Clock, principal: Principal, alert_id: str, body: AlertResolve
) -> dict[str, Any]:
    """Close an alert, recording who closed it and why."""
    alert = await get(db=db, principal=principal, alert_id=alert_id)
    if alert["status"] == AlertStatus.RESOLVED:
        raise Conflict("该预警已处置完毕", resolved_by=alert.get("resolved_by"))
    fields = {
        "status": AlertStatus.RESOLVED.value,
        "resolved_by": principal.subject,
        "resolved_at": clock.now(),
        "outcome": body.outcome.value,
        "note": body.note,
    }
    data = events.AlertResolved(**_common(alert), by=principal.subject, reason=body.outcome.value, at=clock.now())
    return await _write(
        db, clock, alert, fields, make_event(events.RESOLVED, source=SOURCE, key=alert_id, data=data, clock=clock)
    )


async def _write(
    db: Database, clock: Clock, alert: dict[str, Any], fields: dict[str, Any], event: Event
) -> dict[str, Any]:
    update = with_events({"$set": fields, "$inc": {"version": 1}}, [event], clock=clock)
    if not await update_guarded(db[COLLECTION], alert["_id"], {"version": alert["version"]}, update):
        raise Conflict("该预警刚被他人处理，请刷新后重试")
    return {**alert, **fields, "version": alert["version"] + 1}


def _common(alert: dict[str, Any]) -> dict[str, Any]:
    return {
        "alert_id": alert["_id"],
        "community_code": alert["community_code"],
        "grid_id": alert.get("grid_id"),
        "person_id": alert.get("person_id"),
        "kind": alert["kind"],
        "severity": alert["severity"],
    }


def to_read(doc: dict[str, Any]) -> AlertRead:
    return AlertRead.model_validate({**doc, "id": doc["_id"]})
