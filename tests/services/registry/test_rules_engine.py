"""Classification under the seeded rule set: the measure, its stages, NAT dates and the reason."""

from __future__ import annotations

from datetime import date, timedelta

from registry.rules.engine import EpisodeFacts, classify
from registry.rules.seed import PROVINCE_DEFAULT
from registry.vocabulary import Category, HealthCode, Measure, RiskLevel

TODAY = date(2021, 1, 20)


def episode(
    category: Category,
    *,
    days_ago: int | None = 3,
    risk: RiskLevel = RiskLevel.NONE,
    code: HealthCode = HealthCode.GREEN,
    episode_id: str = "e1",
) -> EpisodeFacts:
    arrival = TODAY - timedelta(days=days_ago) if days_ago is not None else None
    return EpisodeFacts(episode_id, category, risk, code, arrival)


def test_a_returnee_gets_14_days_home_monitoring_with_nat_on_day_7_and_14() -> None:
    result = classify([episode(Category.HOLIDAY_RETURNEE, days_ago=3)], PROVINCE_DEFAULT, today=TODAY)

    assert result.measure is Measure.HOME_HEALTH_MONITORING
    assert result.rule_id == "returnee-14"
    assert (result.starts_on, result.ends_on) == (date(2021, 1, 17), date(2021, 1, 30))
    assert result.nat_dates == [date(2021, 1, 23), date(2021, 1, 30)]
    assert result.inputs == {
        "category": "holiday_returnee",
        "origin_risk": "none",
        "health_code": "green",
        "days_since_arrival": 3,
    }


def test_an_inbound_traveller_is_14_plus_7() -> None:
    early = classify([episode(Category.INBOUND_TRAVELLER, days_ago=2)], PROVINCE_DEFAULT, today=TODAY)
    later = classify([episode(Category.INBOUND_TRAVELLER, days_ago=16)], PROVINCE_DEFAULT, today=TODAY)

    assert early.measure is Measure.CENTRALISED_ISOLATION
    assert [s.measure for s in early.stages] == [Measure.CENTRALISED_ISOLATION, Measure.HOME_HEALTH_MONITORING]
    assert early.starts_on is not None
    assert early.ends_on == early.starts_on + timedelta(days=20)
    assert later.measure is Measure.HOME_HEALTH_MONITORING  # day 17: the 7 days at home


def test_a_returnee_whose_14_days_are_over_needs_no_measure() -> None:
    result = classify([episode(Category.HOLIDAY_RETURNEE, days_ago=15)], PROVINCE_DEFAULT, today=TODAY)

    assert result.measure is Measure.NONE
    assert result.rule_id is None


def test_origin_risk_decides_over_the_category() -> None:
    medium = classify([episode(Category.NON_LOCAL_ARRIVAL, risk=RiskLevel.MEDIUM)], PROVINCE_DEFAULT, today=TODAY)
    high = classify([episode(Category.NON_LOCAL_ARRIVAL, risk=RiskLevel.HIGH)], PROVINCE_DEFAULT, today=TODAY)
    none = classify([episode(Category.NON_LOCAL_ARRIVAL)], PROVINCE_DEFAULT, today=TODAY)

    assert (medium.measure, high.measure, none.measure) == (
        Measure.HOME_ISOLATION,
        Measure.CENTRALISED_ISOLATION,
        Measure.DAILY_HEALTH_MONITORING,
    )


def test_a_yellow_code_means_two_nats_in_three_days() -> None:
    result = classify(
        [episode(Category.COLD_CHAIN_WORKER, code=HealthCode.YELLOW, days_ago=0)], PROVINCE_DEFAULT, today=TODAY
    )

    assert result.measure is Measure.HOME_HEALTH_MONITORING
    assert result.rule_id == "yellow-code"
    assert result.nat_dates == [TODAY, TODAY + timedelta(days=2)]


def test_the_strictest_measure_of_all_episodes_wins() -> None:
    episodes = [
        episode(Category.COLD_CHAIN_WORKER, episode_id="a"),
        episode(Category.NON_LOCAL_ARRIVAL, risk=RiskLevel.MEDIUM, episode_id="b"),
    ]

    result = classify(episodes, PROVINCE_DEFAULT, today=TODAY)

    assert result.measure is Measure.HOME_ISOLATION
    assert result.episode_id == "b"


def test_nobody_of_concern_gets_no_measure_but_a_named_rule_set() -> None:
    result = classify([], PROVINCE_DEFAULT, today=TODAY)

    assert result.measure is Measure.NONE
    assert (result.rule_set_id, result.rule_set_version) == ("zj-default", 1)
