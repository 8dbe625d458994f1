"""Opening an incident: routed to whoever is on duty for its grid now, with its plans' tasks, in one insert.

The id is the caller's (derived from the source event or an Idempotency-Key), so opening twice finds the
first. After the insert the first escalation timer is stored; when a crash came in between, opening again
(a redelivered event) stores it then.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from gridline.auth import scope_keys
from gridline.clock import Clock
from gridline.idempotency import check_replay, fingerprint
from gridline.mongo import Database, DuplicateKeyError
from gridline.outbox import new_document
from pydantic import BaseModel

from duty.escalation import service as escalation
from duty.escalation import timer
from duty.incidents import events, routing
from duty.incidents.store import COLLECTION, step_event
from duty.plans import service as plans
from duty.plans.activation import tasks_of
from duty.settings import DutySettings


@dataclass(frozen=True)
class Opening:
    incident_id: str
    community_code: str
    grid_id: str | None
    venue_id: str | None
    person_id: str | None
    kind: str
    severity: str
    source_type: str
    source_id: str | None
    summary: str
    opened_by: str


async def open_incident(
    *,
    db: Database,
    clock: Clock,
    settings: DutySettings,
    opening: Opening,
    request: BaseModel | None = None,
    key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """The incident, and whether this call opened it (False: it was open already)."""
    existing = await db[COLLECTION].find_one({"_id": opening.incident_id})
    if existing is None:
        document = await _document(db=db, clock=clock, settings=settings, opening=opening)
        if request is not None and key is not None:
            document["_idempotency"] = {"fingerprint": fingerprint(request)}
        event = step_event(events.OPENED, document, clock=clock, step="0")
        try:
            await db[COLLECTION].insert_one(new_document(document, [event], clock=clock))
        except DuplicateKeyError:  # opened meanwhile by another replica handling the same cause
            existing = await db[COLLECTION].find_one({"_id": opening.incident_id})
            assert existing is not None
        else:
            await timer.ensure(db=db, clock=clock, incident=document)
            return document, True
    if request is not None and key is not None:
        check_replay(existing, request)
    await timer.ensure(db=db, clock=clock, incident=existing)
    return existing, False


async def _document(*, db: Database, clock: Clock, settings: DutySettings, opening: Opening) -> dict[str, Any]:
    now = clock.now()
    chain, (owners, venue) = await asyncio.gather(
        escalation.chain_for(db=db, settings=settings, community_code=opening.community_code),
        routing.owners_and_venue(
            db=db, community_code=opening.community_code, grid_id=opening.grid_id, venue_id=opening.venue_id, at=now
        ),
    )
    templates = await plans.matching(
        db=db, community_code=opening.community_code, kind=opening.kind, venue_kind=venue["kind"] if venue else None
    )
    tasks: list[dict[str, Any]] = []
    for template in templates:
        tasks += tasks_of(template, owners=owners, at=now, first_number=len(tasks))
    first = routing.assignee(owners, chain.step(0).role)
    return {
        "_id": opening.incident_id,
        "community_code": opening.community_code,
        "grid_id": opening.grid_id,
        "venue_id": opening.venue_id,
        "person_id": opening.person_id,
        "scope": scope_keys(opening.community_code, opening.grid_id),
        "kind": opening.kind,
        "severity": opening.severity,
        "source_type": opening.source_type,
        "source_id": opening.source_id,
        "summary": opening.summary,
        "status": "open",
        "level": 0,
        "level_since": now,
        "assignee": first.model_dump(mode="json") if first else None,
        "chain": chain.to_document(),
        "escalations": [],
        "tasks": tasks,
        "plans": [t["_id"] for t in templates],
        "opened_at": now,
        "opened_by": opening.opened_by,
        "version": 1,
        "changed_at": now,
        "last_step": "opened",
    }
