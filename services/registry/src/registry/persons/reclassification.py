"""Re-classifying the people a change touches: a risk area declared or lifted, a new rule set in force.

Runs as a stored job, in batches ordered by id, checkpointing the last id: a crash resumes where it
stopped, and running a batch twice changes nothing the second time, because a person whose classification
did not change gets no write and no event. Each changed person is one version-guarded write carrying its
`person.classified` event.
"""

from __future__ import annotations

import contextlib
from typing import Any

from gridline.clock import Clock
from gridline.jobs import JobContext, JobKind
from gridline.mongo import Database, UpdateOne, document_lock
from gridline.outbox import with_events

from registry.persons.classification import classified_event, classify_person, same_classification, stored
from registry.persons.registration import COLLECTION
from registry.rules import snapshot as snapshots
from registry.rules.service import RECLASSIFY
from registry.rules.snapshot import Snapshot

BATCH = 500
_FIELDS = {"community_code": 1, "grid_id": 1, "episodes": 1, "classification": 1, "version": 1, "special_groups": 1}


async def run(ctx: JobContext) -> None:
    """Job handler: re-classify everyone matching the job's query, resuming after the last checkpoint."""
    query: dict[str, Any] = {**ctx.payload["query"], "status": "active"}
    snapshot = await snapshots.load(db=ctx.db, clock=ctx.clock)
    progress = dict(ctx.progress) or {"last_id": "", "seen": 0, "changed": 0}
    while True:
        page = {**query, "_id": {"$gt": progress["last_id"]}}
        people = await ctx.db[COLLECTION].find(page, _FIELDS).sort("_id", 1).limit(BATCH).to_list(BATCH)
        if not people:
            return
        progress["changed"] += await reclassify_batch(db=ctx.db, clock=ctx.clock, snapshot=snapshot, people=people)
        progress["seen"] += len(people)
        progress["last_id"] = people[-1]["_id"]
        await ctx.checkpoint(progress)


async def reclassify_batch(*, db: Database, clock: Clock, snapshot: Snapshot, people: list[dict[str, Any]]) -> int:
    """Write the new classification of every person in `people` whose classification changed."""
    writes = [(p["_id"], w) for p in people if (w := _change(p, snapshot, clock)) is not None]
    if not writes:
        return 0
    async with contextlib.AsyncExitStack() as stack:
        for person_id, _ in writes:  # the relay holds one lock at a time, so holding many cannot deadlock
            await stack.enter_async_context(document_lock(db[COLLECTION], person_id))
        result = await db[COLLECTION].bulk_write([w for _, w in writes], ordered=False)
    # A person changed meanwhile (version moved on) was re-classified by that change itself.
    return int(result.modified_count)


def _change(person: dict[str, Any], snapshot: Snapshot, clock: Clock) -> UpdateOne | None:
    result = classify_person(snapshot, person)
    new = stored(result, at=clock.now())
    old = person.get("classification") or {}
    if same_classification(old, new):
        return None
    version = person["version"] + 1
    event = classified_event(person=person, result=result, previous=old.get("measure"), version=version, clock=clock)
    update = with_events({"$set": {"classification": new}, "$inc": {"version": 1}}, [event], clock=clock)
    return UpdateOne({"_id": person["_id"], "version": person["version"]}, update)


JOB = JobKind(RECLASSIFY, run, max_attempts=10)
