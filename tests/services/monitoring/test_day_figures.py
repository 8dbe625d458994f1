"""The one definition of the day's figures: what plans, check-ins and their corrections count on which day."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from monitoring.figures import definition as d
from monitoring.figures.definition import PlanFacts, SlotResult

C, G = "330106001001", "grid-a"
DAY = date(2026, 3, 10)


def plan(**change: Any) -> PlanFacts:
    base: dict[str, Any] = {
        "community_code": C,
        "grid_id": G,
        "measure": "home_isolation",
        "checkins_per_day": 2,
        "first_day": DAY,
        "ends_on": DAY + timedelta(days=2),
        "nat_dates": (DAY,),
    }
    return PlanFacts(**{**base, **change})


def result(slot: int, *, abnormal: bool = False, late: bool = False, correction: bool = False) -> SlotResult:
    return SlotResult(DAY, slot, abnormal=abnormal, nat=False, late=late, correction=correction)


def on(rows: d.Rows, day: date = DAY, grid: str = G) -> dict[str, int]:
    return rows.get((day.isoformat(), C, grid), {})


def replay(*steps: Any) -> tuple[dict[str, Any], d.Rows]:
    """Apply each change in turn, summing the rows each makes, as the live projection does."""
    state: dict[str, Any] = d.empty_state()
    total: d.Rows = {}
    for step in steps:
        after = step(state)
        total = d.add(total, d.difference(d.plan_rows(state), d.plan_rows(after)))
        state = after
    return state, total


def test_a_started_plan_counts_its_person_and_check_ins_on_each_of_its_days_before_any_cut_off() -> None:
    _, rows = replay(lambda s: d.started(s, plan()))

    assert on(rows) == {"people.home_isolation": 1, "checkins.expected": 2, "nat.due": 1}
    assert on(rows, DAY + timedelta(days=2)) == {"people.home_isolation": 1, "checkins.expected": 2}
    assert len(rows) == 3


def test_done_missed_and_abnormal_follow_the_slots_and_a_correction_moves_them() -> None:
    _, rows = replay(
        lambda s: d.started(s, plan()),
        lambda s: d.slot_recorded(s, result(1, abnormal=True)),
        lambda s: d.slot_recorded(s, result(1, abnormal=False, correction=True)),
        lambda s: d.slot_missed(s, DAY, 2),
        lambda s: d.slot_recorded(s, result(2, abnormal=True, late=True)),  # the miss stands
    )

    assert on(rows) == {
        "people.home_isolation": 1,
        "checkins.expected": 2,
        "checkins.done": 1,
        "checkins.missed": 1,
        "checkins.abnormal": 1,
        "nat.due": 1,
    }


def test_a_change_applies_from_its_effective_day_and_earlier_days_keep_what_they_counted() -> None:
    _, rows = replay(
        lambda s: d.started(s, plan()),
        lambda s: d.changed(
            s, plan(measure="centralised_isolation", checkins_per_day=1), effective_on=DAY + timedelta(1)
        ),
    )

    assert on(rows)["people.home_isolation"] == 1
    assert on(rows, DAY + timedelta(days=1)) == {"people.centralised_isolation": 1, "checkins.expected": 1}


def test_a_transfer_moves_the_day_and_its_filled_slots_to_the_new_grid() -> None:
    _, rows = replay(
        lambda s: d.started(s, plan()),
        lambda s: d.slot_recorded(s, result(1)),
        lambda s: d.changed(s, plan(grid_id="grid-b"), effective_on=DAY),
    )

    assert on(rows) == {}
    assert on(rows, grid="grid-b")["checkins.done"] == 1


def test_a_plan_released_during_a_day_expects_only_the_slots_it_filled_or_missed_that_day() -> None:
    _, rows = replay(
        lambda s: d.started(s, plan()),
        lambda s: d.slot_recorded(s, result(1)),
        lambda s: d.ended(s, plan(), on=DAY, by_schedule=False),
    )

    assert on(rows) == {"people.home_isolation": 1, "checkins.expected": 1, "checkins.done": 1, "nat.due": 1}
    assert on(rows, DAY + timedelta(days=1)) == {}


def test_a_plan_whose_schedule_ran_out_counts_every_day_to_its_last() -> None:
    _, rows = replay(
        lambda s: d.started(s, plan()),
        lambda s: d.ended(s, plan(), on=DAY + timedelta(days=2), by_schedule=True),
    )

    assert on(rows, DAY + timedelta(days=2))["checkins.expected"] == 2


def test_the_figures_do_not_depend_on_whether_a_check_in_or_its_plan_arrived_first() -> None:
    steps = [
        lambda s: d.started(s, plan()),
        lambda s: d.slot_recorded(s, result(1, abnormal=True)),
        lambda s: d.slot_recorded(s, result(2)),
    ]
    outcomes = {
        tuple(sorted((key, tuple(sorted(counts.items()))) for key, counts in replay(*order)[1].items()))
        for order in itertools.permutations(steps)
    }

    assert len(outcomes) == 1


def test_the_rows_summed_over_a_plans_events_equal_its_figures_recomputed_at_the_end() -> None:
    state, total = replay(
        lambda s: d.started(s, plan()),
        lambda s: d.slot_recorded(s, result(1)),
        lambda s: d.changed(s, plan(measure="centralised_isolation"), effective_on=DAY + timedelta(days=1)),
        lambda s: d.slot_missed(s, DAY, 2),
        lambda s: d.ended(s, plan(), on=DAY + timedelta(days=1), by_schedule=False),
    )

    assert total == d.plan_rows(state)


def test_a_plan_is_counted_at_most_a_bounded_number_of_days() -> None:
    _, rows = replay(lambda s: d.started(s, plan(ends_on=DAY + timedelta(days=400))))

    assert len(rows) == d.MAX_PLAN_DAYS
