"""What events add to a community's days: plans over the days they run, gaps over the days they span."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from duty.reports.effects import MAX_PLAN_DAYS, Row, gap_rows, name, one, plan_rows, plan_state
from duty.reports.rollup import by_division

C = "330106001001"


def state(
    measure: str = "home_isolation", starts: str = "2021-01-10", ends: str = "2021-01-12", per_day: int = 2
) -> dict[str, object]:
    data = SimpleNamespace(
        community_code=C,
        measure=measure,
        starts_on=date.fromisoformat(starts),
        ends_on=date.fromisoformat(ends),
        checkins_per_day=per_day,
    )
    return plan_state(data, ended_on=None)


def test_a_started_plan_counts_one_person_and_its_check_ins_on_each_of_its_days() -> None:
    rows = plan_rows(None, state())

    assert rows == [
        Row(C, date(2021, 1, d), {"measures.home_isolation": 1, "checkins.expected": 2}) for d in (10, 11, 12)
    ]


def test_an_extended_plan_adds_only_the_new_days_and_a_changed_measure_moves_every_day() -> None:
    extended = plan_rows(state(), state(ends="2021-01-13"))
    tightened = plan_rows(state(), state(measure="centralised_isolation"))

    assert extended == [Row(C, date(2021, 1, 13), {"measures.home_isolation": 1, "checkins.expected": 2})]
    assert tightened[0] == Row(
        C, date(2021, 1, 10), {"measures.home_isolation": -1, "measures.centralised_isolation": 1}
    )


def test_a_plan_ended_early_stops_counting_after_the_day_it_ended() -> None:
    data = SimpleNamespace(
        community_code=C,
        measure="home_isolation",
        starts_on=date(2021, 1, 10),
        ends_on=date(2021, 1, 20),
        checkins_per_day=1,
    )
    cancelled = plan_state(data, ended_on=date(2021, 1, 12))
    rows = plan_rows(plan_state(data, ended_on=None), cancelled)

    assert [r.day.day for r in rows] == list(range(13, 21))
    assert all(r.deltas == {"measures.home_isolation": -1, "checkins.expected": -1} for r in rows)


def test_a_plan_is_counted_at_most_a_bounded_number_of_days() -> None:
    assert len(plan_rows(None, state(ends="2022-01-10"))) == MAX_PLAN_DAYS


def test_a_gap_counts_once_on_its_first_day_and_its_minutes_on_each_day_it_spans() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    starts = datetime(2021, 1, 11, 22, 0, tzinfo=shanghai).astimezone(UTC)
    ends = datetime(2021, 1, 12, 1, 30, tzinfo=shanghai).astimezone(UTC)

    assert gap_rows(C, "leader", starts, ends) == [
        Row(C, date(2021, 1, 11), {"duty.uncovered_minutes_leader": 120, "duty.gaps": 1}),
        Row(C, date(2021, 1, 12), {"duty.uncovered_minutes_leader": 90}),
    ]


def test_an_instant_counts_on_its_shanghai_day() -> None:
    late_evening_utc = datetime(2021, 1, 11, 17, 0, tzinfo=UTC)  # 01:00 on the 12th in Shanghai

    assert one(C, late_evening_utc, "alerts.raised") == [Row(C, date(2021, 1, 12), {"alerts.raised": 1})]


def test_names_that_could_not_be_field_names_are_counted_as_other() -> None:
    assert [name("home_isolation"), name("a.b"), name("$x"), name("")] == ["home_isolation", "other", "other", "other"]


def test_counts_roll_up_to_every_division_above_the_communities() -> None:
    counters = [
        {"community_code": "330106001001", "counts": {"checkins": {"done": 2}, "measures": {"a": 1}}},
        {"community_code": "330106001002", "counts": {"checkins": {"done": 3}}},
        {"community_code": "330106002001", "counts": {"checkins": {"done": 5}}},
    ]

    rolled = by_division(counters)

    assert rolled["330106001"] == ({"checkins": {"done": 5}, "measures": {"a": 1}}, 2)
    assert rolled["330106"] == ({"checkins": {"done": 10}, "measures": {"a": 1}}, 3)
    assert rolled["33"][1] == 3
    assert set(rolled) == {"33", "3301", "330106", "330106001", "330106002", *(c["community_code"] for c in counters)}
