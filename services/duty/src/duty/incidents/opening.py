"""Opening an incident: routed to whoever is on duty for its grid now, with its plans' tasks, in one insert.

The id is the caller's (derived from the source event or an Idempotency-Key), so opening twice finds the
first. After the insert the first escalation timer is stored; when a crash came in between, opening again
(a redelivered event) stores it then. Many incidents (a poll's worth of alerts) open together with the
round trips of one: each is still its own document, inserted with its event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridline.auth import scope_keys
from gridline.clock import Clock
from gridline.idempotency import check_replay, fingerprint
from gridline.mongo import Database, DuplicateKeyError, insert_new, read
from gridline.outbox import OUTBOX, new_document
from pydantic import BaseModel

from duty.escalation import service as escalation
from duty.escalation import timer
from duty.escalation.policy import Chain
from duty.incidents import events, routing
from duty.incidents.store import COLLECTION, step_event
from duty.plans import service as plans
from duty.plans.activation import Owners, tasks_of
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


async def open_many(
    *, db: Database, clock: Clock, settings: DutySettings, openings: Sequence[Opening]
) -> list[tuple[dict[str, Any], bool]]:
    """`open_incident` for each (none with an Idempotency-Key), with a few round trips for them all: one read
    of those open already, one read per collection to route and plan the rest, one insert of the new
    documents (each its own single-document write carrying its `incident.opened`), one insert of the timers.

    The same id twice opens one incident; an id another replica inserted meanwhile is found, as one by one.
    """
    unique = list({o.incident_id: o for o in openings}.values())
    ids = [o.incident_id for o in unique]
    found = {d["_id"]: d for d in await read(db[COLLECTION].find({"_id": {"$in": ids}}, {OUTBOX: 0}), len(ids))}
    new = [o for o in unique if o.incident_id not in found]
    documents = await _documents(db=db, clock=clock, settings=settings, openings=new) if new else []
    refused = set(
        await insert_new(
            db[COLLECTION],
            [new_document(d, [step_event(events.OPENED, d, clock=clock, step="0")], clock=clock) for d in documents],
        )
    )
    opened = [d for n, d in enumerate(documents) if n not in refused]
    if refused:  # opened meanwhile by another replica handling the same causes
        others = [documents[n]["_id"] for n in refused]
        again = await read(db[COLLECTION].find({"_id": {"$in": others}}, {OUTBOX: 0}), len(others))
        found.update({d["_id"]: d for d in again})
    # The first timer of each, new or found (a crash may have come between an insert and its timer).
    await timer.ensure_many(db=db, clock=clock, incidents=[*opened, *found.values()])
    mine = {d["_id"] for d in opened}
    everyone = {**found, **{d["_id"]: d for d in opened}}
    return [(everyone[i], i in mine) for i in ids]


async def _document(*, db: Database, clock: Clock, settings: DutySettings, opening: Opening) -> dict[str, Any]:
    return (await _documents(db=db, clock=clock, settings=settings, openings=[opening]))[0]


async def _documents(
    *, db: Database, clock: Clock, settings: DutySettings, openings: Sequence[Opening]
) -> list[dict[str, Any]]:
    """The new incidents' documents: chain, owners and plans read once for all of them (independent reads,
    sent together)."""
    now = clock.now()
    places = [routing.Place(o.community_code, o.grid_id, o.venue_id) for o in openings]
    chains, routed, matching = await asyncio.gather(
        escalation.chains_for(db=db, settings=settings, community_codes=sorted({o.community_code for o in openings})),
        routing.owners_and_venues(db=db, places=places, at=now),
        plans.matching_many(db=db, wanted={(o.community_code, o.kind) for o in openings}),
    )
    documents = []
    for opening, place in zip(openings, places, strict=True):
        owners, venue = routed[place]
        templates = plans.for_venue(matching[(opening.community_code, opening.kind)], venue["kind"] if venue else None)
        documents.append(_assemble(opening, chains[opening.community_code], owners, templates, now))
    return documents


def _assemble(
    opening: Opening, chain: Chain, owners: Owners, templates: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
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
