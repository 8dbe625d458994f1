"""Who is on duty when: pure functions over rotations and the changes in force (no I/O, no clock).

Precedence at an instant: an override in force (the latest made wins), then an approved swap of the planned
shift, then the rotation's own shift. A grid's rotation, where one covers the instant, comes before the
community's; overrides and swaps apply to the roster they name (the grid's or the community's).
Asia/Shanghai has no daylight saving, but shift times are still computed on local dates, not offsets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from duty.rosters.models import DutyRole, Member, Shift
from duty.timing import at_local, local_day

ROLES = (DutyRole.DUTY_OFFICER, DutyRole.LEADER)


@dataclass(frozen=True)
class Rotation:
    id: str
    grid_id: str | None
    kind: str
    starts_on: date
    ends_on: date | None
    shift_starts: tuple[time, ...]
    crews: tuple[dict[str, Any], ...]
    created_at: datetime

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Rotation:
        return cls(
            id=doc["_id"],
            grid_id=doc.get("grid_id"),
            kind=doc["kind"],
            starts_on=date.fromisoformat(doc["starts_on"]),
            ends_on=date.fromisoformat(doc["ends_on"]) if doc.get("ends_on") else None,
            shift_starts=tuple(time.fromisoformat(t) for t in doc["shift_starts"]),
            crews=tuple(doc["crews"]),
            created_at=doc["created_at"],
        )

    def _start(self, index: int) -> datetime:
        if self.kind == "weekly":
            return at_local(self.starts_on + timedelta(weeks=index), self.shift_starts[0])
        per_day = len(self.shift_starts)
        day, slot = divmod(index, per_day)
        return at_local(self.starts_on + timedelta(days=day), self.shift_starts[slot])

    def _last_index(self) -> int | None:
        if self.ends_on is None:
            return None
        days = (self.ends_on - self.starts_on).days
        return days // 7 if self.kind == "weekly" else (days + 1) * len(self.shift_starts) - 1

    def shift(self, index: int) -> Shift | None:
        last = self._last_index()
        if index < 0 or (last is not None and index > last):
            return None
        crew = self.crews[index % len(self.crews)]
        return Shift(
            shift_id=f"{self.id}:{index}",
            rotation_id=self.id,
            starts_at=self._start(index),
            ends_at=self._start(index + 1),
            duty_officer=Member(**crew["duty_officer"]) if crew.get("duty_officer") else None,
            leader=Member(**crew["leader"]) if crew.get("leader") else None,
        )

    def index_at(self, moment: datetime) -> int | None:
        """The index of the shift running at `moment`, if any."""
        if self.kind == "weekly":
            index = (moment - self._start(0)) // timedelta(weeks=1)
        else:
            # Candidates on the local day of `moment` and the day before (a night shift running past midnight).
            day = (local_day(moment) - self.starts_on).days
            per_day = len(self.shift_starts)
            candidates = [i for i in range((day - 1) * per_day, (day + 1) * per_day) if self._start(i) <= moment]
            if not candidates:
                return None
            index = max(candidates)
        shift = self.shift(index)
        return index if shift is not None and shift.starts_at <= moment < shift.ends_at else None

    def _index_near(self, moment: datetime) -> int:
        """A shift index at or shortly before `moment`, so a scan need not start from the first shift."""
        if self.kind == "weekly":
            return max(0, (moment - self._start(0)) // timedelta(weeks=1) - 1)
        return max(0, ((local_day(moment) - self.starts_on).days - 1) * len(self.shift_starts))

    def shifts_between(self, start: datetime, end: datetime) -> list[Shift]:
        """Every shift overlapping [start, end)."""
        index = self._index_near(start)
        found = []
        while (shift := self.shift(index)) is not None and shift.starts_at < end:
            if shift.ends_at > start:
                found.append(shift)
            index += 1
        return found


@dataclass(frozen=True)
class Change:
    """A roster change in force: the legs of an approved swap or an override."""

    id: str
    kind: str
    grid_id: str | None
    legs: tuple[dict[str, Any], ...]
    created_at: datetime

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Change:
        return cls(doc["_id"], doc["kind"], doc.get("grid_id"), tuple(doc["legs"]), doc["created_at"])


@dataclass(frozen=True)
class Assignment:
    shift: Shift | None
    holders: dict[DutyRole, Member | None]
    sources: dict[DutyRole, str]


def shift_at(rotations: Sequence[Rotation], grid_id: str | None, moment: datetime) -> Shift | None:
    """The planned shift at `moment` of the newest rotation covering it on the roster of `grid_id`."""
    for rotation in sorted((r for r in rotations if r.grid_id == grid_id), key=lambda r: r.created_at, reverse=True):
        index = rotation.index_at(moment)
        if index is not None:
            return rotation.shift(index)
    return None


def assignment_at(
    rotations: Sequence[Rotation], changes: Iterable[Change], grid_id: str | None, moment: datetime
) -> Assignment:
    """Who holds each role at `moment`: the grid's roster where it covers the moment, else the community's."""
    roster = grid_id if grid_id is not None and shift_at(rotations, grid_id, moment) is not None else None
    shift = shift_at(rotations, roster, moment)
    holders: dict[DutyRole, Member | None] = {role: _planned(shift, role) for role in ROLES}
    sources = {role: ("rotation" if holders[role] else "none") for role in ROLES}
    mine = sorted((c for c in changes if c.grid_id == roster), key=lambda c: (c.kind == "override", c.created_at))
    for change in mine:  # later entries win: swaps, then overrides, each oldest first
        for leg in change.legs:
            if _applies(change, leg, shift, moment):
                role = DutyRole(leg["role"])
                holders[role] = Member(**leg["taker"]) if leg.get("taker") else None
                sources[role] = change.kind
    return Assignment(shift, holders, sources)


def _applies(change: Change, leg: dict[str, Any], shift: Shift | None, moment: datetime) -> bool:
    """An override applies by time; a swap leg only to the very shift it was agreed for."""
    if not leg["starts_at"] <= moment < leg["ends_at"]:
        return False
    return change.kind == "override" or (shift is not None and leg["shift_id"] == shift.shift_id)


def _planned(shift: Shift | None, role: DutyRole) -> Member | None:
    if shift is None:
        return None
    return shift.duty_officer if role is DutyRole.DUTY_OFFICER else shift.leader


def boundaries(
    rotations: Sequence[Rotation], changes: Iterable[Change], start: datetime, end: datetime
) -> list[datetime]:
    """Every instant in [start, end) where who is on duty may change."""
    points = {start}
    for rotation in rotations:
        for shift in rotation.shifts_between(start, end):
            points.update((shift.starts_at, shift.ends_at))
    for change in changes:
        for leg in change.legs:
            points.update((leg["starts_at"], leg["ends_at"]))
    return sorted(p for p in points if start <= p < end)


def uncovered(
    rotations: Sequence[Rotation], changes: Sequence[Change], start: datetime, end: datetime
) -> list[tuple[DutyRole, datetime, datetime]]:
    """Periods in [start, end) when the community's roster leaves a role without anyone, merged per role."""
    points = boundaries([r for r in rotations if r.grid_id is None], changes, start, end)
    gaps: list[tuple[DutyRole, datetime, datetime]] = []
    open_since: dict[DutyRole, datetime | None] = dict.fromkeys(ROLES)
    for here in points:
        holders = assignment_at(rotations, changes, None, here).holders
        for role in ROLES:
            since = open_since[role]
            if holders[role] is None and since is None:
                open_since[role] = here
            elif holders[role] is not None and since is not None:
                gaps.append((role, since, here))
                open_since[role] = None
    gaps += [(role, since, end) for role, since in open_since.items() if since is not None]
    return sorted(gaps, key=lambda g: (g[1], g[0].value))
