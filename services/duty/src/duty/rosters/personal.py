"""One person's shifts over a period: pure functions over rotations and changes (no I/O, no clock).

A person holds a role on a roster from one boundary to the next (a shift's start or end, a swap's or an
override's); consecutive periods of the same planned shift and role are one shift of theirs. A grid's roster
counts only where one of its rotations covers the moment, since elsewhere the community's answers for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from duty.rosters.models import DutyRole
from duty.rosters.timeline import ROLES, Change, Rotation, assignment_at, boundaries, shift_at


@dataclass(frozen=True)
class Held:
    grid_id: str | None
    role: DutyRole
    starts_at: datetime
    ends_at: datetime
    rotation_id: str | None
    shift_id: str | None
    source: str  # rotation | swap | override


def held_by(
    subject: str, rotations: Sequence[Rotation], changes: Sequence[Change], start: datetime, end: datetime
) -> list[Held]:
    """Every period in [start, end) when `subject` holds a role on one of the community's rosters."""
    points = [*boundaries(rotations, changes, start, end), end]
    rosters: list[str | None] = [None, *sorted({r.grid_id for r in rotations if r.grid_id is not None})]
    found: list[Held] = []
    for roster in rosters:
        for here, until in pairwise(points):
            if roster is not None and shift_at(rotations, roster, here) is None:
                continue
            assignment = assignment_at(rotations, changes, roster, here)
            shift = assignment.shift
            for role in ROLES:
                holder = assignment.holders[role]
                if holder is None or holder.subject != subject:
                    continue
                piece = Held(
                    roster,
                    role,
                    here,
                    until,
                    shift.rotation_id if shift else None,
                    shift.shift_id if shift else None,
                    assignment.sources[role],
                )
                found.append(_merged(found, piece))
    return sorted(found, key=_order)


def _merged(found: list[Held], piece: Held) -> Held:
    """The piece, joined to the last period found when it simply goes on from there."""
    for index in range(len(found) - 1, -1, -1):
        last = found[index]
        if (last.grid_id, last.role, last.shift_id, last.source, last.ends_at) == (
            piece.grid_id,
            piece.role,
            piece.shift_id,
            piece.source,
            piece.starts_at,
        ):
            found.pop(index)
            return Held(
                last.grid_id, last.role, last.starts_at, piece.ends_at, last.rotation_id, last.shift_id, last.source
            )
    return piece


def _order(held: Held) -> tuple[datetime, str, str]:
    return held.starts_at, held.grid_id or "", held.role.value
