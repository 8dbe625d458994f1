"""Changing a registered person: details, episodes, transfer to another community, merging duplicates.

Every change is one write guarded by the version read, carrying `person.updated` (and the change's own
event), plus `person.classified` when the change moves the person to another measure.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.events import Event
from gridline.mongo import Database, update_guarded
from gridline.outbox import make_event, with_events
from gridline.pii import Protector, mask_name, mask_phone

from registry.grids import service as grids
from registry.persons import events, service
from registry.persons.classification import SOURCE, classified_event, classify_person, same_classification, stored
from registry.persons.models import EpisodeCreate, EpisodeUpdate, MergeRequest, PersonUpdate, TransferRequest
from registry.persons.registration import COLLECTION, checked_phone, origins, sealed_guardian
from registry.rules import snapshot as snapshots

STALE = "该人员信息已被他人修改，请刷新后重试"


async def update(
    *, db: Database, clock: Clock, protector: Protector, principal: Principal, person_id: str, body: PersonUpdate
) -> dict[str, Any]:
    """Change the given fields of a person."""
    before = await _current(db, principal, person_id, body.version)
    after, changed = copy.deepcopy(before), sorted(body.model_fields_set - {"version"})
    if "phone" in body.model_fields_set:
        phone = checked_phone(body.phone, path="phone")
        after["phone"] = protector.seal(phone, context="person.phone") if phone else None
        after["phone_masked"] = mask_phone(phone) if phone else None
    if body.grid_id is not None:
        grid = await grids.get(db=db, principal=principal, grid_id=body.grid_id)
        if grid["community_code"] != before["community_code"]:
            raise Invalid("grid_id", "只能换到本村/社区的网格；跨社区请用转出")
        after["grid_id"], after["scope"] = body.grid_id, scope_keys(before["community_code"], body.grid_id)
    for field in ("name", "address"):
        if field in body.model_fields_set:
            after[field] = getattr(body, field)
    if body.special_groups is not None:
        after["special_groups"] = [g.value for g in body.special_groups]
    if "guardian" in body.model_fields_set:
        after["guardian"] = sealed_guardian(body.guardian, protector)
    return await commit(db=db, clock=clock, before=before, after=after, changed=changed)


async def add_episode(
    *, db: Database, clock: Clock, principal: Principal, person_id: str, body: EpisodeCreate
) -> dict[str, Any]:
    before = await _current(db, principal, person_id, None)
    after = copy.deepcopy(before)
    episode_id = str(uuid.uuid5(uuid.UUID(person_id), f"episode-{len(before['episodes'])}"))
    after["episodes"].append({"id": episode_id, **body.model_dump(mode="json"), "status": "active"})
    return await commit(db=db, clock=clock, before=before, after=after, changed=["episodes"])


async def update_episode(
    *, db: Database, clock: Clock, principal: Principal, person_id: str, episode_id: str, body: EpisodeUpdate
) -> dict[str, Any]:
    before = await _current(db, principal, person_id, body.version)
    after = copy.deepcopy(before)
    episode = next((e for e in after["episodes"] if e["id"] == episode_id), None)
    if episode is None:
        raise NotFound("episode")
    episode.update(body.model_dump(mode="json", exclude_unset=True, exclude={"version"}))
    return await commit(db=db, clock=clock, before=before, after=after, changed=["episodes"])


async def transfer(
    *, db: Database, clock: Clock, principal: Principal, person_id: str, body: TransferRequest
) -> dict[str, Any]:
    """Move a person to another community's grid; their episodes and classification go with them."""
    before = await _current(db, principal, person_id, None)
    target = await db[grids.COLLECTION].find_one({"_id": body.grid_id, "community_code": body.community_code})
    if target is None:
        raise Invalid("grid_id", "转入的网格不存在或不属于该村/社区")
    after = copy.deepcopy(before)
    after.update(
        community_code=body.community_code, grid_id=body.grid_id, scope=scope_keys(body.community_code, body.grid_id)
    )
    moved = events.PersonTransferred(
        person_id=person_id,
        version=before["version"] + 1,
        from_community_code=before["community_code"],
        from_grid_id=before["grid_id"],
        community_code=body.community_code,
        grid_id=body.grid_id,
        reason=body.reason,
    )
    return await commit(
        db=db,
        clock=clock,
        before=before,
        after=after,
        changed=["community_code", "grid_id"],
        extra=[_event(events.TRANSFERRED, person_id, moved, clock)],
    )


async def merge(
    *, db: Database, clock: Clock, principal: Principal, person_id: str, body: MergeRequest
) -> dict[str, Any]:
    """Keep `person_id`, fold the duplicate's history into it, and retire the duplicate.

    Two documents change, one after the other; each step is guarded so that repeating the request after a
    failure between them finishes the merge without doing the first step twice.
    """
    if body.duplicate_person_id == person_id:
        raise Invalid("duplicate_person_id", "不能与自己合并")
    survivor = await _current(db, principal, person_id, None)
    duplicate = await service.get(db=db, principal=principal, person_id=body.duplicate_person_id)
    if duplicate.get("merged_into") not in (None, person_id):
        raise Conflict("该重复记录已合并到其他人员", merged_into=duplicate["merged_into"])
    if body.duplicate_person_id not in survivor.get("merged_from", []):
        survivor = await _absorb(db, clock, survivor, duplicate)
    await _retire(db, clock, duplicate, survivor_id=person_id)
    return survivor


async def _absorb(db: Database, clock: Clock, survivor: dict[str, Any], duplicate: dict[str, Any]) -> dict[str, Any]:
    after = copy.deepcopy(survivor)
    known = {e["id"] for e in after["episodes"]}
    after["episodes"] += [e for e in duplicate["episodes"] if e["id"] not in known]
    after["special_groups"] = sorted(set(after["special_groups"]) | set(duplicate["special_groups"]))
    after["merged_from"] = [*after.get("merged_from", []), duplicate["_id"]]
    merged = events.PersonMerged(
        person_id=survivor["_id"],
        version=survivor["version"] + 1,
        merged_person_id=duplicate["_id"],
        community_code=survivor["community_code"],
        grid_id=survivor["grid_id"],
        special_groups=after["special_groups"],
    )
    return await commit(
        db=db,
        clock=clock,
        before=survivor,
        after=after,
        changed=["episodes", "special_groups", "merged_from"],
        extra=[_event(events.MERGED, survivor["_id"], merged, clock)],
    )


async def _retire(db: Database, clock: Clock, duplicate: dict[str, Any], *, survivor_id: str) -> None:
    if duplicate["status"] == "merged":
        return
    after = {**copy.deepcopy(duplicate), "status": "merged", "merged_into": survivor_id}
    after["episodes"] = [{**e, "status": "closed"} for e in after["episodes"]]
    await commit(db=db, clock=clock, before=duplicate, after=after, changed=["status", "merged_into", "episodes"])


async def commit(
    *,
    db: Database,
    clock: Clock,
    before: dict[str, Any],
    after: dict[str, Any],
    changed: Sequence[str],
    extra: Sequence[Event] = (),
) -> dict[str, Any]:
    """Write `after` over `before` if nobody changed the person meanwhile, with the events it causes."""
    version = before["version"] + 1
    after["origins"] = origins(e.get("origin_division_code") for e in after["episodes"] if e["status"] == "active")
    result = classify_person(await snapshots.load(db=db, clock=clock), after)
    outgoing = [_updated_event(after, list(changed), version, clock), *extra]
    fields = {k: after.get(k) for k in {*changed, "origins", "scope", "phone", "phone_masked", "guardian"}}
    new = stored(result, at=clock.now())
    if not same_classification(before.get("classification"), new):
        fields["classification"] = after["classification"] = new
        previous = (before.get("classification") or {}).get("measure")
        outgoing.append(classified_event(person=after, result=result, previous=previous, version=version, clock=clock))
    update = with_events({"$set": {**fields, "updated_at": clock.now()}, "$inc": {"version": 1}}, outgoing, clock=clock)
    if not await update_guarded(db[COLLECTION], before["_id"], {"version": before["version"]}, update):
        raise Conflict(STALE)
    return {**after, "version": version}


async def _current(db: Database, principal: Principal, person_id: str, expected: int | None) -> dict[str, Any]:
    person = await service.get(db=db, principal=principal, person_id=person_id)
    if person["status"] != "active":
        raise Conflict("该人员记录已合并，请修改保留的记录", merged_into=person.get("merged_into"))
    if expected is not None and expected != person["version"]:
        raise Conflict(STALE, current_version=person["version"])
    return person


def _updated_event(person: dict[str, Any], changed: list[str], version: int, clock: Clock) -> Event:
    data = events.PersonUpdated(
        person_id=person["_id"],
        version=version,
        community_code=person["community_code"],
        grid_id=person["grid_id"],
        changed=changed,
        name_masked=mask_name(person["name"]),
        phone_masked=person.get("phone_masked"),
        special_groups=person.get("special_groups", []),
        status=person["status"],
        merged_into=person.get("merged_into"),
    )
    return _event(events.UPDATED, person["_id"], data, clock)


def _event(spec: Any, person_id: str, data: Any, clock: Clock) -> Event:
    return make_event(spec, source=SOURCE, key=person_id, data=data, clock=clock)
