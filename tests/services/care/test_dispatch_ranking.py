"""Ranking helpers (pure): skill, community, availability now, lowest load, then least recently assigned, then id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from care.dispatch.ranking import rank, suits
from care.helpers.availability import available_at

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
ALWAYS = [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"}]
HERE, THERE = "330106001001", "330106001002"


def helper(helper_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "_id": helper_id,
        "active": True,
        "communities": [HERE],
        "skills": ["medicine"],
        "windows": ALWAYS,
        "load": 0,
        "last_assigned_at": None,
        **fields,
    }


def ranked(*helpers: dict[str, Any], request_type: str = "medicine") -> list[str]:
    return [h["_id"] for h in rank(helpers, community_code=HERE, request_type=request_type, now=NOW)]


def test_the_least_loaded_helper_comes_first() -> None:
    assert ranked(helper("a", load=2), helper("b", load=0), helper("c", load=1)) == ["b", "c", "a"]


def test_on_equal_load_the_one_waiting_longest_comes_first_never_assigned_before_all_then_by_id() -> None:
    recently = helper("a", last_assigned_at=NOW - timedelta(minutes=5))
    long_ago = helper("b", last_assigned_at=NOW - timedelta(days=3))
    assert ranked(recently, long_ago, helper("d"), helper("c")) == ["c", "d", "b", "a"]


def test_a_helper_outside_the_community_without_the_skill_unavailable_or_retired_is_never_ranked() -> None:
    outside = helper("outside", communities=[THERE])
    unskilled = helper("unskilled", skills=["repairs"])
    sunday_only = helper("sunday", windows=[{"days": [7], "start": "00:00", "end": "24:00"}])
    paused = helper("paused", unavailable_until=NOW + timedelta(hours=1))
    retired = helper("retired", active=False)

    assert ranked(outside, unskilled, sunday_only, paused, retired, helper("ok")) == ["ok"]


def test_any_helper_serving_the_community_suits_a_request_of_type_other() -> None:
    assert suits(helper("a", skills=["repairs"]), community_code=HERE, request_type="other", now=NOW)
    assert not suits(helper("a", communities=[THERE]), community_code=HERE, request_type="other", now=NOW)


def test_windows_are_local_weekdays_and_times_with_an_open_end() -> None:
    morning = [{"days": [1], "start": "08:00", "end": "10:00"}]
    late = [{"days": [1], "start": "22:00", "end": "24:00"}]

    assert not available_at(morning, None, NOW)  # 10:00 is the end, not inside
    assert available_at(morning, None, NOW - timedelta(minutes=1))
    assert available_at(late, None, datetime(2026, 3, 2, 15, 59, tzinfo=UTC))  # 23:59 Monday in Shanghai
    assert not available_at(late, None, datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # 00:00 Tuesday
    assert available_at(ALWAYS, NOW, NOW)  # a pause until now is over
