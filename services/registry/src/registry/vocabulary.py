"""The words of the notice as code: key-population categories, special groups, codes, risk levels."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    HOLIDAY_RETURNEE = "holiday_returnee"  # 返乡人员
    COLD_CHAIN_WORKER = "cold_chain_worker"  # 进口冷链从业人员
    NON_LOCAL_ARRIVAL = "non_local_arrival"  # 外来人员
    RISK_AREA_ARRIVAL = "risk_area_arrival"  # 中高风险地区来(返)人员
    INBOUND_TRAVELLER = "inbound_traveller"  # 入境人员


class SpecialGroup(StrEnum):
    ELDERLY_IN_DIFFICULTY = "elderly_in_difficulty"
    ORPHAN = "orphan"
    LEFT_BEHIND_WOMAN = "left_behind_woman"
    LEFT_BEHIND_CHILD = "left_behind_child"
    DISABLED = "disabled"


class HealthCode(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class RiskLevel(StrEnum):
    NONE = "none"
    MEDIUM = "medium"
    HIGH = "high"


class Measure(StrEnum):
    """Management measures in rising strictness."""

    NONE = "none"
    DAILY_HEALTH_MONITORING = "daily_health_monitoring"  # 日常健康监测
    HOME_HEALTH_MONITORING = "home_health_monitoring"  # 居家健康监测
    HOME_ISOLATION = "home_isolation"  # 居家隔离
    CENTRALISED_ISOLATION = "centralised_isolation"  # 集中隔离

    @property
    def strictness(self) -> int:
        return list(Measure).index(self)
