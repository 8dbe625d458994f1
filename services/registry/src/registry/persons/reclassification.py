"""Re-classifying the people a change touches: a risk area declared or lifted, a new rule set in force.

Runs as a stored job over the matching people in batches; running it twice changes nothing the second
time, because a person whose classification did not change gets no write and no event. Each changed
person is one version-guarded write carrying its `person.classified` event.
"""

from __future__ import annotations

from typing import Any

from gridline.clock import Clock
from gridline.jobs import JobContext, JobKind
from gridline.mongo import MAX_UPDATES_PER_COMMAND, GuardedUpdate, update_each_guarded
from gridline.outbox import with_events

from registry.persons.classification import classified_event, classify_person, same_classification, stored
from registry.persons.registration import COLLECTION
from registry.rules import snapshot as snapshots
from registry.rules.service import RECLASSIFY
from registry.rules.snapshot import Snapshot

BATCH = 500
_FIELDS = {"community_code": 1, "grid_id": 1, "episodes": 1, "classification": 1, "version": 1, "special_groups": 1}


async def run(ctx: JobContext) -> None:
    """Job handler: re-classify everyone matching the job's query.

    One read pass through the `origins` index decides who changes, then the changes are written in guarded
    batches; the read finishes before the writes start, so no cursor stays open across writes to the
    collection it reads. After a crash the job simply runs again: people already re-classified are
    unchanged the second time and get no write and no event.
    """
    query: dict[str, Any] = {**ctx.payload["query"], "status": "active"}
    snapshot = await snapshots.load(db=ctx.db, clock=ctx.clock)
    changes: list[GuardedUpdate] = []
    seen = 0
    cursor = ctx.db[COLLECTION].find(query, _FIELDS, batch_size=BATCH)
    while people := await cursor.to_list(BATCH):
        seen += len(people)
        changes += [c for p in people if (c := _change(p, snapshot, ctx.clock)) is not None]
    changed = 0
    for start in range(0, len(changes), MAX_UPDATES_PER_COMMAND):
        # A person changed meanwhile (version moved on) was re-classified by that change itself.
        changed += await update_each_guarded(ctx.db[COLLECTION], changes[start : start + MAX_UPDATES_PER_COMMAND])
        if start % BATCH == 0:
            await ctx.checkpoint({"seen": seen, "to_change": len(changes), "changed": changed})
    await ctx.checkpoint({"seen": seen, "to_change": len(changes), "changed": changed})


def _change(person: dict[str, Any], snapshot: Snapshot, clock: Clock) -> GuardedUpdate | None:
    result = classify_person(snapshot, person)
    new = stored(result, at=clock.now())
    old = person.get("classification") or {}
    if same_classification(old, new):
        return None
    version = person["version"] + 1
    event = classified_event(person=person, result=result, previous=old.get("measure"), version=version, clock=clock)
    update = with_events({"$set": {"classification": new}, "$inc": {"version": 1}}, [event], clock=clock)
    return GuardedUpdate(person["_id"], {"version": person["version"]}, update)


JOB = JobKind(RECLASSIFY, run, max_attempts=10)
