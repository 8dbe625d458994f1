"""What events add to a community's days: monitoring's figures as they are, gaps over the days they span."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from duty.reports.effects import Row, figure_rows, gap_rows, name, one
from duty.reports.rollup import by_division

C = "330106001001"


def row(community: str, day: date, counts: dict[str, dict[str, int]]) -> SimpleNamespace:
    return SimpleNamespace(community_code=community, day=day, counts=counts)


def test_monitorings_figures_are_taken_as_they_are_summed_per_community_and_day() -> None:
    day = date(2021, 1, 12)
    rows = [
        row(C, day, {"people": {"home_isolation": 1}, "checkins": {"expected": 2, "done": 1}}),
        row(C, day, {"checkins": {"done": 1, "missed": 1}, "nat": {"due": 1}}),  # another grid of the community
        row(C, day, {"alerts": {"fever": 2, "nat_positive": 1}, "plans": {"started": 1}}),
        row("330106001002", day, {"people": {"home_isolation": -1, "Bad Name": 1}}),
    ]

    assert figure_rows(rows) == [
        Row(
            C,
            day,
            {
                "measures.home_isolation": 1,
                "checkins.expected": 2,
                "checkins.done": 2,
                "checkins.missed": 1,
                "nat.due": 1,
                "alerts.by_kind.fever": 2,
                "alerts.raised": 3,
                "alerts.by_kind.nat_positive": 1,
            },
        ),
        Row("330106001002", day, {"measures.home_isolation": -1, "measures.other": 1}),
    ]


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
