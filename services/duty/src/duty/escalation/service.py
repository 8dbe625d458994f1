"""Stored escalation chains per division: a community's own, or a township's or county's for all below it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import NotFound
from gridline.mongo import Database, read

from duty.escalation.models import PolicyPut, PolicyRead
from duty.escalation.policy import Chain, applicable, default_chain
from duty.settings import DutySettings

COLLECTION = "escalation_policies"


async def put(*, db: Database, clock: Clock, principal: Principal, division_code: str, body: PolicyPut) -> PolicyRead:
    if not principal.covers_division(division_code):
        raise NotFound("division")
    fields = {"steps": [s.model_dump(mode="json") for s in body.steps], "max_repeats": body.max_repeats}
    await db[COLLECTION].update_one(
        {"_id": division_code},
        {"$set": {**fields, "updated_at": clock.now(), "updated_by": principal.subject}, "$inc": {"version": 1}},
        upsert=True,
    )
    stored = await db[COLLECTION].find_one({"_id": division_code})
    assert stored is not None
    return _read(stored)


async def get(*, db: Database, settings: DutySettings, principal: Principal, division_code: str) -> PolicyRead:
    """The chain in force for a division: its own, inherited from above, or the default."""
    if not principal.covers_division(division_code):
        raise NotFound("division")
    own = await db[COLLECTION].find_one({"_id": division_code})
    if own is not None:
        return _read(own)
    chain = await chain_for(db=db, settings=settings, community_code=division_code)
    return PolicyRead(
        division_code=division_code, steps=list(chain.steps), max_repeats=chain.max_repeats, version=0, updated_at=None
    )


async def chain_for(*, db: Database, settings: DutySettings, community_code: str) -> Chain:
    stored = await read(db[COLLECTION].find({"_id": {"$in": scope_keys(community_code)}}), None)
    return applicable(community_code, stored, settings) if stored else default_chain(settings)


async def chains_for(*, db: Database, settings: DutySettings, community_codes: Sequence[str]) -> dict[str, Chain]:
    """As `chain_for` for each community, in one read of every policy that may apply to any of them."""
    keys = sorted({key for code in community_codes for key in scope_keys(code)})
    stored = await read(db[COLLECTION].find({"_id": {"$in": keys}}), None) if keys else []
    return {code: applicable(code, stored, settings) for code in community_codes}


def _read(doc: dict[str, Any]) -> PolicyRead:
    return PolicyRead(
        division_code=doc["_id"],
        steps=doc["steps"],
        max_repeats=doc["max_repeats"],
        version=doc.get("version", 1),
        updated_at=doc.get("updated_at"),
    )
