"""Entry checks at a venue's door, exits, and its occupancy against the cap."""

from __future__ import annotations

from typing import Any

from gridline.clock import Clock, local_today
from gridline.errors import Conflict
from gridline.events import Event
from gridline.mongo import Database, DuplicateKeyError, update_guarded
from gridline.outbox import with_events

from monitoring.alerts import raising
from monitoring.rules.evaluation import Finding, VenueFacts, venue_findings
from monitoring.rules.models import MonitoringRules
from monitoring.venues.models import Decision, EntryCreate, EntryRead, ExitCreate, OccupancyRead
from monitoring.venues.store import DAYS, day_id, new_day
from monitoring.vocabulary import AlertKind

ATTEMPTS = 8  # a busy door: entries at one venue race for its day document


async def record_entry(
    *, db: Database, clock: Clock, rules: MonitoringRules, venue: dict[str, Any], body: EntryCreate, entry_id: str
) -> EntryRead:
    """Check one visitor in: admit, refer (fever or code), ask for a mask, or ask to wait when full."""
    _active(venue)
    for _ in range(ATTEMPTS):
        today = await _today(db, venue, clock)
        if entry_id in today["seen"]:
            return await _replayed(db, venue, today, entry_id)
        entry, outgoing = _check(venue, today, body, entry_id, rules, clock)
        admitted = entry["decision"] == Decision.ADMIT
        update: dict[str, Any] = {
            "$inc": {"version": 1, "entries": 1, "occupancy": int(admitted), "admitted": int(admitted)},
            "$set": {f"seen.{entry_id}": True},
            "$push": {"log": entry},
            "$max": {"peak": today["occupancy"] + int(admitted)},
        }
        update["$inc"]["turned_away"] = int(not admitted)
        if AlertKind.VENUE_OVER_CAPACITY in entry["alerts"]:
            update["$set"]["over_capacity_alerted"] = True
        if await update_guarded(
            db[DAYS], today["_id"], {"version": today["version"]}, with_events(update, outgoing, clock=clock)
        ):
            return _read(venue, entry, today["occupancy"] + int(admitted))
    raise Conflict("入口登记繁忙，请重试")


async def record_exit(
    *, db: Database, clock: Clock, venue: dict[str, Any], body: ExitCreate, exit_id: str
) -> OccupancyRead:
    _active(venue)
    for _ in range(ATTEMPTS):
        today = await _today(db, venue, clock)
        if exit_id in today["seen"]:
            return occupancy_read(venue, today)
        leaving = min(body.count, today["occupancy"])  # never below zero: an exit nobody counted in
        update = {"$inc": {"version": 1, "occupancy": -leaving, "exits": leaving}, "$set": {f"seen.{exit_id}": True}}
        if await update_guarded(db[DAYS], today["_id"], {"version": today["version"]}, update):
            return occupancy_read(
                venue, {**today, "occupancy": today["occupancy"] - leaving, "exits": today["exits"] + leaving}
            )
    raise Conflict("出口登记繁忙，请重试")


async def occupancy(*, db: Database, clock: Clock, venue: dict[str, Any]) -> OccupancyRead:
    found = await db[DAYS].find_one(
        {"_id": day_id(venue["_id"], local_today(clock).isoformat())}, {"log": 0, "seen": 0}
    )
    return occupancy_read(venue, found or new_day(venue, local_today(clock).isoformat()))


def _check(
    venue: dict[str, Any], today: dict[str, Any], body: EntryCreate, entry_id: str, rules: MonitoringRules, clock: Clock
) -> tuple[dict[str, Any], list[Event]]:
    full = today["occupancy"] >= venue["capacity"]
    facts = VenueFacts(temperature_c=body.temperature_c, health_code=body.health_code.value, over_capacity=full)
    findings = [f for f in venue_findings(rules, facts) if _first_of_day(f, today)]
    cause = raising.Cause(
        key=entry_id, community_code=venue["community_code"], person_id=body.person_id, venue_id=venue["_id"]
    )
    outgoing = raising.raised_events(findings, cause, at=clock.now(), clock=clock)
    entry = {
        "id": entry_id,
        "at": clock.now(),
        "temperature_c": body.temperature_c,
        "health_code": body.health_code.value,
        "mask": body.mask,
        "person_id": body.person_id,
        "decision": _decide(findings, body, full).value,
        "alerts": [f.kind.value for f in findings],
    }
    return entry, outgoing


def _first_of_day(finding: Finding, today: dict[str, Any]) -> bool:
    """A venue that is full alerts once a day, not at every visitor it turns away."""
    return finding.kind != AlertKind.VENUE_OVER_CAPACITY or not today.get("over_capacity_alerted")


def _decide(findings: list[Finding], body: EntryCreate, full: bool) -> Decision:
    if any(f.kind in (AlertKind.VENUE_FEVER, AlertKind.VENUE_HEALTH_CODE) for f in findings):
        return Decision.REFER
    if not body.mask:
        return Decision.MASK_REQUIRED
    return Decision.WAIT if full else Decision.ADMIT


async def _today(db: Database, venue: dict[str, Any], clock: Clock) -> dict[str, Any]:
    key = day_id(venue["_id"], local_today(clock).isoformat())
    found = await db[DAYS].find_one({"_id": key}, {"log": 0})
    if found is not None:
        return found
    fresh = new_day(venue, local_today(clock).isoformat())
    try:
        await db[DAYS].insert_one(fresh)
    except DuplicateKeyError:
        return await _today(db, venue, clock)  # another entry opened the day first
    return fresh


async def _replayed(db: Database, venue: dict[str, Any], today: dict[str, Any], entry_id: str) -> EntryRead:
    """A retried entry: answer with what was decided the first time."""
    logged = await db[DAYS].find_one({"_id": today["_id"]}, {"log": 1})
    entry = next(e for e in (logged or {}).get("log", []) if e["id"] == entry_id)
    return _read(venue, entry, today["occupancy"])


def _read(venue: dict[str, Any], entry: dict[str, Any], occupancy: int) -> EntryRead:
    return EntryRead(
        entry_id=entry["id"],
        venue_id=venue["_id"],
        at=entry["at"],
        decision=Decision(entry["decision"]),
        alerts=entry["alerts"],
        occupancy=occupancy,
        capacity=venue["capacity"],
    )


def occupancy_read(venue: dict[str, Any], today: dict[str, Any]) -> OccupancyRead:
    return OccupancyRead(
        venue_id=venue["_id"],
        day=today["day"],
        occupancy=today["occupancy"],
        capacity=venue["capacity"],
        available=max(0, venue["capacity"] - today["occupancy"]),
        at_capacity=today["occupancy"] >= venue["capacity"],
        entries=today["entries"],
        admitted=today["admitted"],
        turned_away=today["turned_away"],
        exits=today["exits"],
        peak=today["peak"],
    )


def _active(venue: dict[str, Any]) -> None:
    if not venue.get("active", True):
        raise Conflict("该场所已停用", venue_id=venue["_id"])
