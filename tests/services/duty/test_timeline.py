"""Who is on duty when: shift boundaries in Asia/Shanghai, overrides, swaps and gaps (pure logic)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from duty.rosters.models import DutyRole
from duty.rosters.timeline import Change, Rotation, assignment_at, uncovered

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2021, 1, 1, tzinfo=UTC)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def member(subject: str) -> dict[str, str]:
    return {"subject": subject, "name": subject.upper()}


def crew(officer: str | None, leader: str | None) -> dict[str, Any]:
    return {"duty_officer": member(officer) if officer else None, "leader": member(leader) if leader else None}


def rotation(
    rotation_id: str = "r1",
    *,
    kind: str = "daily",
    starts: list[str] | None = None,
    crews: list[dict[str, Any]] | None = None,
    starts_on: str = "2021-01-11",
    ends_on: str | None = None,
    grid_id: str | None = None,
    created: datetime = CREATED,
) -> Rotation:
    return Rotation.from_document(
        {
            "_id": rotation_id,
            "grid_id": grid_id,
            "kind": kind,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "shift_starts": starts or ["08:00", "20:00"],
            "crews": crews or [crew("a", "l1"), crew("b", "l2"), crew("c", None)],
            "created_at": created,
        }
    )


def change(change_id: str, kind: str, *legs: dict[str, Any], grid_id: str | None = None, at: int = 0) -> Change:
    created = datetime(2021, 1, 2, 0, at, tzinfo=UTC)
    return Change.from_document(
        {"_id": change_id, "kind": kind, "grid_id": grid_id, "legs": list(legs), "created_at": created}
    )


def leg(starts: str, ends: str, role: str, taker: str | None, shift_id: str | None = None) -> dict[str, Any]:
    return {
        "shift_id": shift_id,
        "starts_at": local(starts),
        "ends_at": local(ends),
        "role": role,
        "giver": None,
        "taker": member(taker) if taker else None,
    }


def officer_at(rotations: list[Rotation], changes: list[Change], at: str, grid_id: str | None = None) -> str | None:
    held = assignment_at(rotations, changes, grid_id, local(at)).holders[DutyRole.DUTY_OFFICER]
    return held.subject if held else None


def leader_at(rotations: list[Rotation], changes: list[Change], at: str) -> str | None:
    held = assignment_at(rotations, changes, None, local(at)).holders[DutyRole.LEADER]
    return held.subject if held else None


def test_shifts_change_exactly_at_their_local_start_times_and_a_night_shift_runs_past_midnight() -> None:
    rotations = [rotation()]

    assert officer_at(rotations, [], "2021-01-11T07:59:59") is None
    assert officer_at(rotations, [], "2021-01-11T08:00:00") == "a"
    assert officer_at(rotations, [], "2021-01-11T19:59:59") == "a"
    assert officer_at(rotations, [], "2021-01-11T20:00:00") == "b"
    assert officer_at(rotations, [], "2021-01-12T00:30:00") == "b"
    assert officer_at(rotations, [], "2021-01-12T07:59:59") == "b"
    assert officer_at(rotations, [], "2021-01-12T08:00:00") == "c"
    assert officer_at(rotations, [], "2021-01-12T20:00:00") == "a"  # the crews come round again


def test_the_shift_at_an_instant_is_named_by_its_rotation_and_number() -> None:
    shift = assignment_at([rotation()], [], None, local("2021-01-12T03:00:00")).shift

    assert shift is not None
    assert (shift.shift_id, shift.starts_at, shift.ends_at) == (
        "r1:1",
        local("2021-01-11T20:00"),
        local("2021-01-12T08:00"),
    )


def test_a_weekly_rotation_hands_over_at_its_start_time_a_week_later() -> None:
    rotations = [rotation(kind="weekly", starts=["09:00"], crews=[crew("p", "lp"), crew("q", "lq")])]

    assert officer_at(rotations, [], "2021-01-11T08:59:59") is None
    assert officer_at(rotations, [], "2021-01-18T08:59:59") == "p"
    assert officer_at(rotations, [], "2021-01-18T09:00:00") == "q"
    assert officer_at(rotations, [], "2021-01-25T09:00:00") == "p"


def test_a_rotation_ends_after_the_last_shift_starting_on_its_last_day() -> None:
    rotations = [rotation(ends_on="2021-01-12")]

    assert officer_at(rotations, [], "2021-01-13T07:59:59") == "a"  # the night shift of the last day
    assert officer_at(rotations, [], "2021-01-13T08:00:00") is None


def test_a_newer_rotation_supersedes_an_older_one_from_its_first_day() -> None:
    older = rotation("old", crews=[crew("a", "l1")])
    newer = rotation("new", crews=[crew("z", "lz")], starts_on="2021-01-13", created=datetime(2021, 1, 5, tzinfo=UTC))

    assert officer_at([older, newer], [], "2021-01-12T12:00") == "a"
    assert officer_at([older, newer], [], "2021-01-13T08:00") == "z"


def test_a_grid_roster_comes_before_the_communitys_where_it_covers_the_instant() -> None:
    community = rotation("c")
    grid = rotation("g", crews=[crew("g1", "gl")], starts_on="2021-01-12", ends_on="2021-01-12", grid_id="grid-1")
    rotations = [community, grid]

    assert officer_at(rotations, [], "2021-01-12T09:00", grid_id="grid-1") == "g1"
    assert officer_at(rotations, [], "2021-01-12T09:00") == "c"
    assert officer_at(rotations, [], "2021-01-13T09:00", grid_id="grid-1") == "b"  # the grid's roster ended


def test_an_approved_swap_applies_to_its_shift_and_an_override_beats_both() -> None:
    rotations = [rotation()]
    swap = change("s1", "swap", leg("2021-01-11T20:00", "2021-01-12T08:00", "duty_officer", "d", shift_id="r1:1"))
    override = change("o1", "override", leg("2021-01-12T02:00", "2021-01-12T04:00", "duty_officer", "e"))

    assert officer_at(rotations, [swap], "2021-01-11T21:00") == "d"
    assert officer_at(rotations, [swap, override], "2021-01-12T03:00") == "e"
    assert officer_at(rotations, [swap, override], "2021-01-12T04:00") == "d"
    assert leader_at(rotations, [swap, override], "2021-01-12T03:00") == "l2"  # only the swapped role changes


def test_a_swap_leg_for_a_shift_that_no_longer_exists_changes_nothing() -> None:
    replaced = rotation("r2", crews=[crew("z", "lz")], created=datetime(2021, 1, 5, tzinfo=UTC))
    swap = change("s1", "swap", leg("2021-01-11T20:00", "2021-01-12T08:00", "duty_officer", "d", shift_id="r1:1"))

    assert officer_at([rotation(), replaced], [swap], "2021-01-11T21:00") == "z"


def test_the_latest_override_wins_and_an_override_to_nobody_leaves_the_role_uncovered() -> None:
    rotations = [rotation()]
    first = change("o1", "override", leg("2021-01-11T09:00", "2021-01-11T12:00", "duty_officer", "x"), at=1)
    leave = change("o2", "override", leg("2021-01-11T10:00", "2021-01-11T11:00", "duty_officer", None), at=2)

    assert officer_at(rotations, [leave, first], "2021-01-11T09:30") == "x"
    assert officer_at(rotations, [leave, first], "2021-01-11T10:30") is None


def test_gaps_are_the_uncovered_periods_of_each_role_merged() -> None:
    rotations = [rotation(ends_on="2021-01-12")]
    leave = change("o1", "override", leg("2021-01-11T10:00", "2021-01-11T11:00", "duty_officer", None))

    gaps = uncovered(rotations, [leave], local("2021-01-11T00:00"), local("2021-01-14T00:00"))

    assert gaps == [
        (DutyRole.DUTY_OFFICER, local("2021-01-11T00:00"), local("2021-01-11T08:00")),
        (DutyRole.LEADER, local("2021-01-11T00:00"), local("2021-01-11T08:00")),
        (DutyRole.DUTY_OFFICER, local("2021-01-11T10:00"), local("2021-01-11T11:00")),
        (DutyRole.LEADER, local("2021-01-12T08:00"), local("2021-01-12T20:00")),  # crew c has no leader
        (DutyRole.DUTY_OFFICER, local("2021-01-13T08:00"), local("2021-01-14T00:00")),
        (DutyRole.LEADER, local("2021-01-13T08:00"), local("2021-01-14T00:00")),
    ]
