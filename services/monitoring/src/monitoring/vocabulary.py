"""The words monitoring works with: measures, code colours, symptoms, how a check-in was taken, alerts."""

from __future__ import annotations

from enum import StrEnum


class Measure(StrEnum):
    """Management measures in rising strictness (registry decides which one applies)."""

    DAILY_HEALTH_MONITORING = "daily_health_monitoring"  # 日常健康监测
    HOME_HEALTH_MONITORING = "home_health_monitoring"  # 居家健康监测
    HOME_ISOLATION = "home_isolation"  # 居家隔离
    CENTRALISED_ISOLATION = "centralised_isolation"  # 集中隔离


NO_MEASURE = "none"  # registry's word for "released from any measure"


def strictness(measure: str) -> int:
    """Rank of a measure; an unknown one (a newer registry vocabulary) ranks lowest rather than failing."""
    order = [m.value for m in Measure]
    return order.index(measure) + 1 if measure in order else 0


class HealthCode(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class NatResult(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"


class Method(StrEnum):
    VISIT = "visit"  # 上门
    PHONE = "phone"  # 电话
    SELF_REPORT = "self_report"  # 自主上报
    VENUE = "venue"  # 场所查验


class Symptom(StrEnum):
    """The fixed list a check-in picks from; anything else goes in the free-text note."""

    COUGH = "cough"  # 咳嗽
    SORE_THROAT = "sore_throat"  # 咽痛
    FATIGUE = "fatigue"  # 乏力
    LOSS_OF_SMELL_OR_TASTE = "loss_of_smell_or_taste"  # 嗅(味)觉减退
    SHORTNESS_OF_BREATH = "shortness_of_breath"  # 气促
    DIARRHOEA = "diarrhoea"  # 腹泻
    MUSCLE_ACHE = "muscle_ache"  # 肌痛
    CONJUNCTIVITIS = "conjunctivitis"  # 结膜炎
    RUNNY_NOSE = "runny_nose"  # 流涕
    CHILLS = "chills"  # 寒战


class AlertKind(StrEnum):
    FEVER = "fever"
    SYMPTOMS = "symptoms"
    HEALTH_CODE_YELLOW = "health_code_yellow"
    HEALTH_CODE_RED = "health_code_red"
    NAT_POSITIVE = "nat_positive"
    MISSED_CHECKINS = "missed_checkins"
    VENUE_FEVER = "venue_fever"
    VENUE_HEALTH_CODE = "venue_health_code"
    VENUE_OVER_CAPACITY = "venue_over_capacity"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
