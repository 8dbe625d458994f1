"""The first monitoring rules, from 2021–2022 practice (see DOMAIN.md). Data, replaced through the API."""

from __future__ import annotations

from monitoring.rules.models import CheckinTrigger, MissedTrigger, MonitoringRules, VenueTrigger
from monitoring.vocabulary import AlertKind, HealthCode, Measure, NatResult, Severity, Symptom

K, S, H = AlertKind, Severity, HealthCode
RESPIRATORY = [Symptom.COUGH, Symptom.SORE_THROAT, Symptom.LOSS_OF_SMELL_OR_TASTE, Symptom.SHORTNESS_OF_BREATH]

PROVINCE_DEFAULT = MonitoringRules(
    scope="33",
    version=1,
    checkins_per_day={
        Measure.DAILY_HEALTH_MONITORING: 1,
        Measure.HOME_HEALTH_MONITORING: 1,
        Measure.HOME_ISOLATION: 2,  # morning and afternoon temperatures
        Measure.CENTRALISED_ISOLATION: 2,
    },
    checkin_triggers=[
        CheckinTrigger(kind=K.FEVER, severity=S.MEDIUM, description="体温≥37.3℃", temperature_at_least=37.3),
        CheckinTrigger(kind=K.FEVER, severity=S.HIGH, description="体温≥38.5℃", temperature_at_least=38.5),
        CheckinTrigger(kind=K.SYMPTOMS, severity=S.MEDIUM, description="有可疑症状", symptoms_any=list(Symptom)),
        CheckinTrigger(kind=K.SYMPTOMS, severity=S.HIGH, description="有呼吸道症状", symptoms_any=RESPIRATORY),
        CheckinTrigger(kind=K.HEALTH_CODE_YELLOW, severity=S.MEDIUM, description="健康码黄码", health_codes=[H.YELLOW]),
        CheckinTrigger(kind=K.HEALTH_CODE_RED, severity=S.HIGH, description="健康码红码", health_codes=[H.RED]),
        CheckinTrigger(
            kind=K.NAT_POSITIVE, severity=S.CRITICAL, description="核酸检测阳性", nat_results=[NatResult.POSITIVE]
        ),
    ],
    missed_triggers=[
        MissedTrigger(consecutive_days=2, severity=S.MEDIUM, description="连续2天未打卡"),
        MissedTrigger(consecutive_days=3, severity=S.HIGH, description="连续3天未打卡"),
    ],
    venue_triggers=[
        VenueTrigger(kind=K.VENUE_FEVER, severity=S.MEDIUM, description="入场体温≥37.3℃", temperature_at_least=37.3),
        VenueTrigger(kind=K.VENUE_HEALTH_CODE, severity=S.MEDIUM, description="入场黄码", health_codes=[H.YELLOW]),
        VenueTrigger(kind=K.VENUE_HEALTH_CODE, severity=S.HIGH, description="入场红码", health_codes=[H.RED]),
        VenueTrigger(kind=K.VENUE_OVER_CAPACITY, severity=S.LOW, description="场所人数已达上限", over_capacity=True),
    ],
)
