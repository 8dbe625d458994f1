"""Alert triggers read as data: thresholds, symptom lists, code colours, runs of missed days."""

from __future__ import annotations

from collections.abc import Sequence

from monitoring.rules.evaluation import (
    CheckinFacts,
    Finding,
    VenueFacts,
    checkin_findings,
    missed_finding,
    venue_findings,
)
from monitoring.rules.seed import PROVINCE_DEFAULT as RULES


def facts(
    temperature: float | None = 36.5, symptoms: tuple[str, ...] = (), code: str = "green", nat: str | None = None
) -> CheckinFacts:
    return CheckinFacts(temperature, list(symptoms), code, nat)


def kinds(found: Sequence[Finding | None]) -> list[tuple[str, str]]:
    return [(f.kind.value, f.severity.value) for f in found if f is not None]


def test_a_normal_check_in_raises_nothing() -> None:
    assert checkin_findings(RULES, facts()) == []
    assert checkin_findings(RULES, facts(temperature=None, code="green")) == []


def test_37_3_is_a_fever_and_37_2_is_not_whatever_the_float_rounding() -> None:
    assert kinds(checkin_findings(RULES, facts(37.3))) == [("fever", "medium")]
    assert kinds(checkin_findings(RULES, facts(37.29999999))) == [("fever", "medium")]
    assert checkin_findings(RULES, facts(37.2)) == []


def test_the_most_severe_trigger_of_a_kind_wins_and_kinds_are_separate() -> None:
    found = checkin_findings(RULES, facts(38.6, symptoms=("fatigue", "cough"), code="red", nat="positive"))
    assert kinds(found) == [
        ("fever", "high"),
        ("symptoms", "high"),
        ("health_code_red", "high"),
        ("nat_positive", "critical"),
    ]
    assert kinds(checkin_findings(RULES, facts(symptoms=("fatigue",)))) == [("symptoms", "medium")]
    assert kinds(checkin_findings(RULES, facts(code="yellow"))) == [("health_code_yellow", "medium")]


def test_a_run_of_missed_days_alerts_on_the_days_it_reaches_a_trigger() -> None:
    assert missed_finding(RULES, 1) is None
    assert missed_finding(RULES, 4) is None
    assert kinds([missed_finding(RULES, 2)]) == [("missed_checkins", "medium")]
    assert kinds([missed_finding(RULES, 3)]) == [("missed_checkins", "high")]


def test_venue_checks_alert_on_fever_code_and_a_full_venue() -> None:
    assert venue_findings(RULES, VenueFacts(36.6, "green", over_capacity=False)) == []
    assert kinds(venue_findings(RULES, VenueFacts(37.5, "red", over_capacity=True))) == [
        ("venue_fever", "medium"),
        ("venue_health_code", "high"),
        ("venue_over_capacity", "low"),
    ]


def test_check_ins_per_day_come_from_the_measure_with_a_default() -> None:
    assert RULES.per_day("home_isolation") == 2
    assert RULES.per_day("home_health_monitoring") == 1
    assert RULES.per_day("a_measure_registry_invented_later") == 1
