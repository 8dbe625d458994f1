"""The one definition of the day's figures: what each plan, check-in and alert counts on which day (pure).

Every figure of a day is owned here and nowhere else. Monitoring's statistics, duty's daily report and the
pages all sum the rows this module makes, carried by `figures.counted` events, so they agree at every moment.

A plan counts on each day from its first day to its last:
- its person under the day's measure (`people.<measure>`);
- the day's check-ins expected: the measure's number a day, or, on the day a plan was released or cancelled,
  the slots it had filled or missed by then (so `expected = done + missed + not yet` holds on every day);
- `done` (slots filled on time), `missed` (slots the cut-off found empty), `abnormal` (slots whose current
  result is abnormal, corrections and late results included), and `nat.due` / `nat.done` on its NAT days.
A change to a plan (re-classification, next stage, transfer) applies from its effective day on; days before
it keep what they counted. Results recorded, late and corrected, alerts by kind and plans started, completed
or cancelled count as they happen. Each event's rows are the difference it makes, so a day recomputed from
the events gives the same figures as the live ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# A plan's days are counted up to this long: far past any measure, and a bound on one event's rows.
MAX_PLAN_DAYS = 60
NO_GRID = "-"  # venue alerts belong to a community, not to one of its grids

Key = tuple[str, str, str]  # (day, community, grid)
Rows = dict[Key, dict[str, int]]


@dataclass(frozen=True)
class PlanFacts:
    """What a plan event says about the plan (its whole state, as every plan event carries it)."""

    community_code: str
    grid_id: str
    measure: str
    checkins_per_day: int
    first_day: date
    ends_on: date
    nat_dates: tuple[date, ...]


@dataclass(frozen=True)
class SlotResult:
    """A check-in result as it lands on its slot."""

    day: date
    slot: int
    abnormal: bool
    nat: bool
    late: bool
    correction: bool


def empty_state() -> dict[str, Any]:
    return {"periods": [], "first_day": None, "last_day": None, "partial_end": False, "slots": {}}


def started(state: dict[str, Any], facts: PlanFacts) -> dict[str, Any]:
    """A plan opened: its days from its first day to its last, all with the same measure."""
    return {
        **state,
        "periods": [_period(facts.first_day, facts)],
        "first_day": facts.first_day.isoformat(),
        "last_day": facts.ends_on.isoformat(),
        "partial_end": False,
    }


def changed(state: dict[str, Any], facts: PlanFacts, *, effective_on: date) -> dict[str, Any]:
    """The plan changed from `effective_on` on (days before keep what they counted)."""
    if state["first_day"] is None:
        return started(state, facts)
    since = max(effective_on, date.fromisoformat(state["first_day"])).isoformat()
    kept = [p for p in state["periods"] if p["from"] < since]
    return {
        **state,
        "periods": [*kept, _period(date.fromisoformat(since), facts)],
        "last_day": facts.ends_on.isoformat(),
    }


def ended(state: dict[str, Any], facts: PlanFacts, *, on: date, by_schedule: bool) -> dict[str, Any]:
    """A plan ended: through its last day when its schedule ran out, else through `on` (partly)."""
    if state["first_day"] is None:
        state = started(state, facts)
    if by_schedule or on >= facts.ends_on:
        return {**state, "last_day": facts.ends_on.isoformat(), "partial_end": False}
    return {**state, "last_day": on.isoformat(), "partial_end": True}


def slot_recorded(state: dict[str, Any], result: SlotResult) -> dict[str, Any]:
    """A result on a slot: on time (done), late (the miss stands) or a correction (the result replaced)."""
    day, slot = result.day.isoformat(), str(result.slot)
    slots = {d: dict(s) for d, s in state["slots"].items()}
    current = slots.setdefault(day, {}).get(slot, {})
    landed = current.get("state") or ("missed" if result.late else "done")
    slots[day][slot] = {"state": landed, "abnormal": result.abnormal, "nat": result.nat}
    return {**state, "slots": slots}


def slot_missed(state: dict[str, Any], day: date, slot: int) -> dict[str, Any]:
    slots = {d: dict(s) for d, s in state["slots"].items()}
    current = slots.setdefault(day.isoformat(), {}).get(str(slot))
    if current is None:  # a slot is missed only when it had no result (the cut-off inserts it by its id)
        slots[day.isoformat()][str(slot)] = {"state": "missed", "abnormal": False, "nat": False}
    return {**state, "slots": slots}


def plan_rows(state: dict[str, Any]) -> Rows:
    """Everything a plan in `state` counts, by day, community and grid."""
    rows: Rows = {}
    if state["first_day"] is None:
        return rows
    first, last = date.fromisoformat(state["first_day"]), date.fromisoformat(state["last_day"])
    last = min(last, first + timedelta(days=MAX_PLAN_DAYS - 1))
    day = first
    while day <= last:
        period = _period_on(state["periods"], day.isoformat())
        partial = state["partial_end"] and day == last
        rows[(day.isoformat(), period["community_code"], period["grid_id"])] = _day_counts(
            period, state["slots"].get(day.isoformat(), {}), day.isoformat(), partial=partial
        )
        day += timedelta(days=1)
    return rows


def difference(before: Rows, after: Rows) -> Rows:
    """The rows that take counters from `before` to `after` (zero changes left out)."""
    changes: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, rows in ((-1, before), (1, after)):
        for key, counts in rows.items():
            for path, amount in counts.items():
                changes[key][path] += sign * amount
    return {key: nonzero for key, deltas in changes.items() if (nonzero := {p: a for p, a in deltas.items() if a})}


def add(into: Rows, more: Rows) -> Rows:
    merged: dict[Key, dict[str, int]] = {key: dict(counts) for key, counts in into.items()}
    for key, counts in more.items():
        place = merged.setdefault(key, {})
        for path, amount in counts.items():
            place[path] = place.get(path, 0) + amount
    return {key: nonzero for key, counts in merged.items() if (nonzero := {p: a for p, a in counts.items() if a})}


def happened(day: date, community_code: str, grid_id: str | None, *paths: str) -> Rows:
    """Counts of something that happened (a result recorded, an alert raised, a plan started)."""
    return {(day.isoformat(), community_code, grid_id or NO_GRID): dict.fromkeys(paths, 1)}


def result_paths(result: SlotResult) -> list[str]:
    return [
        "checkins.recorded",
        *(["checkins.late"] if result.late else []),
        *(["checkins.corrected"] if result.correction else []),
    ]


def _period(since: date, facts: PlanFacts) -> dict[str, Any]:
    return {
        "from": since.isoformat(),
        "community_code": facts.community_code,
        "grid_id": facts.grid_id,
        "measure": facts.measure,
        "per_day": facts.checkins_per_day,
        "nat_dates": sorted(d.isoformat() for d in facts.nat_dates),
    }


def _period_on(periods: list[dict[str, Any]], day: str) -> dict[str, Any]:
    applying = [p for p in periods if p["from"] <= day]
    found: dict[str, Any] = applying[-1] if applying else periods[0]
    return found


def _day_counts(period: dict[str, Any], slots: dict[str, Any], day: str, *, partial: bool) -> dict[str, int]:
    done = sum(s["state"] == "done" for s in slots.values())
    missed = sum(s["state"] == "missed" for s in slots.values())
    nat_due = day in period["nat_dates"]
    counts = {
        f"people.{period['measure']}": 1,
        "checkins.expected": done + missed if partial else int(period["per_day"]),
        "checkins.done": done,
        "checkins.missed": missed,
        "checkins.abnormal": sum(bool(s["abnormal"]) for s in slots.values()),
        "nat.due": int(nat_due),
        "nat.done": int(nat_due and any(s["nat"] for s in slots.values())),
    }
    return {path: amount for path, amount in counts.items() if amount}
