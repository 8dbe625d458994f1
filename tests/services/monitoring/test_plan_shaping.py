"""What a classification makes of a plan, and how the cut-off continues a run of missed days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from monitoring.cutoff.tally import streak_on
from monitoring.days import cutoff_at
from monitoring.plans import shaping
from monitoring.plans.inbound import PersonClassified

TODAY = date(2026, 3, 10)


def classified(measure: str = "home_health_monitoring", ends: str = "2026-03-20", **extra: Any) -> PersonClassified:
    return PersonClassified.model_validate(
        {
            "person_id": "p1",
            "version": 2,
            "community_code": "330106001001",
            "grid_id": "g1",
            "measure": measure,
            "rule_set_id": "zj-default",
            "rule_set_version": 1,
            "starts_on": "2026-03-07",
            "ends_on": ends,
            **extra,
        }
    )


def plan(**fields: Any) -> dict[str, Any]:
    base = classified()
    return {
        "community_code": "330106001001",
        "grid_id": "g1",
        **shaping.classified_fields(base, today=TODAY, per_day=1),
        **fields,
    }


def test_the_cut_off_is_beijing_time() -> None:
    assert cutoff_at(TODAY, "20:00") == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_a_plan_opened_after_the_cut_off_expects_check_ins_from_the_next_day() -> None:
    before = datetime(2026, 3, 10, 11, 59, tzinfo=UTC)
    after = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert shaping.first_day(opened_at=before, cutoff_time="20:00", starts_on="2026-03-07") == "2026-03-10"
    assert shaping.first_day(opened_at=after, cutoff_time="20:00", starts_on="2026-03-07") == "2026-03-11"
    assert shaping.first_day(opened_at=before, cutoff_time="20:00", starts_on="2026-03-12") == "2026-03-12"


def test_a_stricter_measure_tightens_a_milder_one_relaxes_a_longer_period_extends() -> None:
    stricter = shaping.reclassified(plan(), classified("home_isolation"), today=TODAY, per_day=2)
    milder = shaping.reclassified(plan(), classified("daily_health_monitoring"), today=TODAY, per_day=1)
    longer = shaping.reclassified(plan(), classified(ends="2026-03-27"), today=TODAY, per_day=1)
    moved = shaping.reclassified(plan(), classified(grid_id="g2"), today=TODAY, per_day=1)
    assert (stricter.kind, stricter.fields["checkins_per_day"]) == ("tightened", 2)
    assert milder.kind == "relaxed"
    assert longer.kind == "extended"
    assert (moved.kind, moved.fields["grid_id"]) == ("moved", "g2")


def test_the_same_classification_again_announces_nothing_and_no_measure_ends_the_plan() -> None:
    same = shaping.reclassified(plan(person_version=1), classified(), today=TODAY, per_day=1)
    released = shaping.reclassified(plan(), classified("none"), today=TODAY, per_day=1)
    over = shaping.reclassified(plan(), classified(ends="2026-03-09"), today=TODAY, per_day=1)
    assert (same.kind, same.ends, same.fields) == (None, False, {"person_version": 2})
    assert released.ends
    assert over.ends


def test_stages_give_the_measure_of_each_day() -> None:
    staged = classified(
        "centralised_isolation",
        stages=[
            {"measure": "centralised_isolation", "starts_on": "2026-03-01", "ends_on": "2026-03-14"},
            {"measure": "home_health_monitoring", "starts_on": "2026-03-15", "ends_on": "2026-03-21"},
        ],
    )
    stages = shaping.stages_of(staged, today=TODAY)
    assert shaping.stage_measure(stages, "2026-03-14") == "centralised_isolation"
    assert shaping.stage_measure(stages, "2026-03-15") == "home_health_monitoring"
    assert shaping.stage_measure(stages, "2026-03-22") is None


def test_a_run_of_missed_days_continues_only_from_the_day_before_and_a_rerun_gives_the_same_number() -> None:
    assert streak_on({}, "2026-03-10") == 1
    assert streak_on({"missed_streak": {"count": 2, "last_day": "2026-03-09"}}, "2026-03-10") == 3
    assert streak_on({"missed_streak": {"count": 2, "last_day": "2026-03-08"}}, "2026-03-10") == 1
    assert streak_on({"missed_streak": {"count": 3, "last_day": "2026-03-10"}}, "2026-03-10") == 3
