"""Keeping members current from registry facts, and reading them inside the caller's jurisdiction.

A fact's effects on other aggregates (visit timers, the isolation's end, a supplies request) are stored
before the member itself, with ids derived from the member and the event: if the member write then fails
or is lost to a crash, the redelivered event does them again as no-ops and writes the member. A timer
already due (a chain starting today) may run before the member is written and find nothing to do, so
once the member is written its timers are re-armed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from gridline import jobs
from gridline.auth import Principal
from gridline.clock import LOCAL_TZ, Clock, local_today
from gridline.errors import NotFound
from gridline.events import Event, derived_id
from gridline.http.pagination import Page, PageParams, paginate
from gridline.mongo import Database, DuplicateKeyError, Index, update_guarded

from care.members.facts import Change, PersonFact, Rules, decide
from care.members.models import MemberRead, to_read
from care.members.store import COLLECTION
from care.requests.documents import Draft
from care.requests.opening import open_request
from care.settings import CareSettings
from care.visits import chains
from care.vocabulary import Group, RequestType, Source

INDEXES = [
    Index(COLLECTION, (("scope", 1), ("status", 1), ("_id", 1))),
    Index(COLLECTION, (("scope_groups", 1), ("_id", 1))),
]
CONSUMER = "care.members"
ISOLATION_END = "care.isolation-end"
ATTEMPTS = 5


class ConcurrentChange(RuntimeError):
    """The member kept changing under us; the event is retried."""


def rules(settings: CareSettings) -> Rules:
    return Rules(
        isolation_measures=frozenset(settings.isolation_measures),
        supplies_measures=frozenset(settings.supplies_measures),
        cadence_groups=frozenset(g.value for g in settings.visit_cadences),
    )


async def apply(*, db: Database, clock: Clock, settings: CareSettings, event: Event, fact: PersonFact) -> None:
    """Bring the member in line with `fact`; a redelivered or out-of-date fact changes nothing."""
    for _ in range(ATTEMPTS):
        current = await db[COLLECTION].find_one({"_id": fact.person_id})
        change = decide(current, fact, rules=rules(settings), today=local_today(clock), event_id=event.id)
        if change is None:
            return
        await _effects(db, clock, settings, event, current, fact, change)
        if await _write(db, clock, current, fact.person_id, change):
            await _rearm_timers(db, clock, fact.person_id, change)
            return
    raise ConcurrentChange(f"member {fact.person_id} changed while being updated")


async def _effects(
    db: Database,
    clock: Clock,
    settings: CareSettings,
    event: Event,
    current: dict[str, Any] | None,
    fact: PersonFact,
    change: Change,
) -> None:
    for group, due_on in change.new_chains.items():
        await chains.schedule(
            db=db, clock=clock, member_id=fact.person_id, group=group, due_on=date.fromisoformat(due_on)
        )
    if change.isolation_ends_on:
        await _schedule_isolation_end(db, clock, fact.person_id, change.isolation_ends_on)
    if change.supplies:
        await _open_supplies_request(db, clock, settings, event, fact, (current or {}).get("contact"))


async def _rearm_timers(db: Database, clock: Clock, person_id: str, change: Change) -> None:
    """Run again the change's timers that were due when stored: a runner may have taken one before the member
    was written, and found nothing to do (a timer not yet due is still waiting, so it is left alone)."""
    for group, due_on in change.new_chains.items():  # a new chain's first link is due today, at once
        await jobs.rearm(db, chains.link_id(person_id, group, date.fromisoformat(due_on)))
    ends_on = change.isolation_ends_on
    if ends_on and isolation_ends_at(ends_on) <= clock.now():
        await jobs.rearm(db, isolation_end_id(person_id, ends_on))


async def _write(db: Database, clock: Clock, current: dict[str, Any] | None, person_id: str, change: Change) -> bool:
    """Insert a new member or update one guarded by the revision read; False when someone got there first."""
    now = clock.now()
    if current is None:
        document = {"_id": person_id, **change.fields, "visit_chains": change.new_chains, "contact": None}
        try:
            await db[COLLECTION].insert_one({**document, "rev": 1, "joined_at": now, "updated_at": now})
        except DuplicateKeyError:
            return False
        return True
    chains_set = {f"visit_chains.{g}": d for g, d in change.new_chains.items()}
    update = {"$set": {**change.fields, **chains_set, "updated_at": now}, "$inc": {"rev": 1}}
    return await update_guarded(db[COLLECTION], person_id, {"rev": current["rev"]}, update)


def isolation_end_id(person_id: str, ends_on: str) -> str:
    return f"{ISOLATION_END}:{person_id}:{ends_on}"


def isolation_ends_at(ends_on: str) -> datetime:
    """The start of the day after the period."""
    return datetime.combine(date.fromisoformat(ends_on) + timedelta(days=1), time(0, 0), LOCAL_TZ)


async def _schedule_isolation_end(db: Database, clock: Clock, person_id: str, ends_on: str) -> None:
    """At the start of the day after the period, the person leaves the home-isolated group."""
    await jobs.schedule(
        db,
        job_id=isolation_end_id(person_id, ends_on),
        kind=ISOLATION_END,
        due_at=isolation_ends_at(ends_on),
        payload={"member_id": person_id, "ends_on": ends_on},
        clock=clock,
    )


async def _open_supplies_request(
    db: Database,
    clock: Clock,
    settings: CareSettings,
    event: Event,
    fact: PersonFact,
    contact: dict[str, Any] | None,
) -> None:
    draft = Draft(
        community_code=fact.community_code,
        grid_id=fact.grid_id,
        person_id=fact.person_id,
        type=RequestType.SUPPLIES.value,
        priority=settings.supplies_priority.value,
        needs="居家隔离期间的生活物资保障（特殊群体）",
        source=Source.ISOLATION.value,
        opened_by="registry",
        contact=contact,
        cause={"event_id": event.id},
    )
    request_id = derived_id(CONSUMER, event.id, "supplies-request")
    await open_request(
        db=db, clock=clock, settings=settings, draft=draft, request_id=request_id, cause=event, consumer=CONSUMER
    )


async def find(*, db: Database, person_id: str, principal: Principal | None = None) -> dict[str, Any] | None:
    """The member (in the caller's jurisdiction, when a caller is given), or None."""
    query: dict[str, Any] = {"_id": person_id, **(principal.scope_filter() if principal else {})}
    member: dict[str, Any] | None = await db[COLLECTION].find_one(query)
    return member


async def get(*, db: Database, principal: Principal, person_id: str) -> dict[str, Any]:
    member = await find(db=db, person_id=person_id, principal=principal)
    if member is None:
        raise NotFound("member")
    return member


async def list_page(
    *, db: Database, principal: Principal, group: Group | None, status: str, page: PageParams
) -> Page[MemberRead]:
    """Members in the caller's jurisdiction: active ones by default, or those of one group."""
    if group is not None:
        query: dict[str, Any] = {"scope_groups": f"{principal.jurisdiction}|{group.value}"}
    else:
        query = {**principal.scope_filter(), "status": status}
    return await paginate(db[COLLECTION], query, page, to_read)
