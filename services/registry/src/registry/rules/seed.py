"""The first rule set, from measures seen in 2021–2022 practice (see DOMAIN.md). Data, replaceable."""

from __future__ import annotations

from datetime import date

from registry.rules.models import Condition, Rule, RuleSet, Stage
from registry.vocabulary import Category, HealthCode, Measure, RiskLevel

C, R, H = Category, RiskLevel, HealthCode


def _rule(rule_id: str, text: str, when: Condition, stages: list[tuple[Measure, int]], nats: list[int]) -> Rule:
    return Rule(
        id=rule_id,
        description=text,
        when=when,
        stages=[Stage(measure=m, duration_days=d) for m, d in stages],
        nat_days=nats,
    )


PROVINCE_DEFAULT = RuleSet(
    id="zj-default",
    version=1,
    scope="33",
    effective_from=date(2021, 1, 1),
    rules=[
        _rule(
            "red-code",
            "红码：集中隔离14天",
            Condition(health_codes=[H.RED]),
            [(Measure.CENTRALISED_ISOLATION, 14)],
            [1, 4, 7, 14],
        ),
        _rule(
            "inbound-14-7",
            "入境人员：14天集中隔离+7天居家健康监测",
            Condition(categories=[C.INBOUND_TRAVELLER], max_days_since_arrival=21),
            [(Measure.CENTRALISED_ISOLATION, 14), (Measure.HOME_HEALTH_MONITORING, 7)],
            [1, 4, 7, 14, 21],
        ),
        _rule(
            "high-risk-origin",
            "来自高风险地区：14天集中隔离",
            Condition(origin_risk=[R.HIGH], max_days_since_arrival=14),
            [(Measure.CENTRALISED_ISOLATION, 14)],
            [1, 4, 7, 14],
        ),
        _rule(
            "medium-risk-origin",
            "来自中风险地区：14天居家隔离",
            Condition(origin_risk=[R.MEDIUM], max_days_since_arrival=14),
            [(Measure.HOME_ISOLATION, 14)],
            [1, 7, 14],
        ),
        _rule(
            "yellow-code",
            "黄码：7天居家健康监测，3天2次核酸（间隔24小时）",
            Condition(health_codes=[H.YELLOW]),
            [(Measure.HOME_HEALTH_MONITORING, 7)],
            [1, 3],
        ),
        _rule(
            "returnee-14",
            "返乡人员：14天居家健康监测，第7天和第14天核酸",
            Condition(categories=[C.HOLIDAY_RETURNEE], max_days_since_arrival=14),
            [(Measure.HOME_HEALTH_MONITORING, 14)],
            [7, 14],
        ),
        _rule(
            "cold-chain",
            "进口冷链从业人员：日常健康监测，每7天核酸",
            Condition(categories=[C.COLD_CHAIN_WORKER]),
            [(Measure.DAILY_HEALTH_MONITORING, 14)],
            [7, 14],
        ),
        _rule(
            "arrival-14",
            "外来人员及中高风险地区来返人员：14天日常健康监测",
            Condition(categories=[C.NON_LOCAL_ARRIVAL, C.RISK_AREA_ARRIVAL], max_days_since_arrival=14),
            [(Measure.DAILY_HEALTH_MONITORING, 14)],
            [],
        ),
    ],
)
