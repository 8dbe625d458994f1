"""A worker reports what became of an entry: located, not found, moved away (or corrects that finding)."""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict, NotFound
from gridline.mongo import Database

from registry.assist_lists import reporting
from registry.assist_lists.models import EntryStatus, EntryUpdate
from registry.assist_lists.store import ENTRIES, apply_change, entry_key
from registry.persons import registration


async def update_entry(
    *, db: Database, clock: Clock, principal: Principal, list_id: str, entry_id: str, body: EntryUpdate
) -> dict[str, Any]:
    """Move an entry to a new status (or re-note it); its report job, stored first, decides the version."""
    entry = await db[ENTRIES].find_one({"_id": entry_key(list_id, entry_id), **principal.scope_filter()})
    if entry is None:
        raise NotFound("assist-list entry")
    current = EntryStatus(entry["status"])
    if body.status is current and body.note in (None, entry["note"]):
        return entry  # a retry of the update that is already applied
    if body.status is EntryStatus.PENDING and current is not EntryStatus.PENDING:
        raise Conflict("已核查的条目不能退回待核查", current_status=current.value)
    person_id, person_scope = await _person(db, entry)
    change = reporting.change(
        entry=entry,
        status=body.status.value,
        person_id=person_id,
        person_scope=person_scope,
        note=body.note,
        at=clock.now(),
        by=principal.subject,
    )
    # Scheduling is one insert keyed by entry and version: of two concurrent updates only one gets the
    # version, and the entry document is then written by that one alone.
    if not await reporting.schedule_change(db=db, clock=clock, change=change):
        raise Conflict("该条目刚被他人更新，请刷新后重试", current_version=entry["version"])
    # Should this request have stalled past the job's patience, the job applied it: this write then no-ops.
    applied = await apply_change(db=db, change=change)
    if applied is None:
        raise NotFound("assist-list entry")
    return applied


async def _person(db: Database, entry: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The matched person; looked up again when none was, since they may have been registered since."""
    if entry.get("person_id"):
        return entry["person_id"], []
    person = await db[registration.COLLECTION].find_one({"document.hash": entry["document"]["hash"]}, {"scope": 1})
    if person is None:
        return None, []
    return person["_id"], list(person["scope"])
