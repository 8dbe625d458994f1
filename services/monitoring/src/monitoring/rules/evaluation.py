"""Which alerts a check-in, a venue entry or a run of missed days raises under a rule set (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitoring.rules.models import CheckinTrigger, MonitoringRules, VenueTrigger
from monitoring.vocabulary import AlertKind, Severity


@dataclass(frozen=True)
class Finding:
    """One alert to raise: its kind, how severe, and the rule's wording as the reason."""

    kind: AlertKind
    severity: Severity
    reason: str


@dataclass(frozen=True)
class CheckinFacts:
    temperature_c: float | None
    symptoms: Sequence[str]
    health_code: str | None
    nat_result: str | None


@dataclass(frozen=True)
class VenueFacts:
    temperature_c: float | None
    health_code: str | None
    over_capacity: bool


def checkin_findings(rules: MonitoringRules, facts: CheckinFacts) -> list[Finding]:
    """At most one finding per kind: the most severe trigger of that kind that matches."""
    return _strongest_per_kind((t.kind, t.severity, t.description) for t in rules.checkin_triggers if _hits(t, facts))


def venue_findings(rules: MonitoringRules, facts: VenueFacts) -> list[Finding]:
    return _strongest_per_kind(
        (t.kind, t.severity, t.description) for t in rules.venue_triggers if _hits_venue(t, facts)
    )


def missed_finding(rules: MonitoringRules, consecutive_days: int) -> Finding | None:
    """An alert on the day the run of missed days reaches a trigger's length, so each run alerts once per step."""
    hits = [t for t in rules.missed_triggers if t.consecutive_days == consecutive_days]
    if not hits:
        return None
    strongest = max(hits, key=lambda t: t.severity.rank)
    return Finding(AlertKind.MISSED_CHECKINS, strongest.severity, strongest.description)


def _hits(trigger: CheckinTrigger, facts: CheckinFacts) -> bool:
    if trigger.temperature_at_least is not None and not _at_least(facts.temperature_c, trigger.temperature_at_least):
        return False
    if trigger.symptoms_any is not None and not set(trigger.symptoms_any) & set(facts.symptoms):
        return False
    if trigger.health_codes is not None and facts.health_code not in trigger.health_codes:
        return False
    return trigger.nat_results is None or facts.nat_result in trigger.nat_results


def _hits_venue(trigger: VenueTrigger, facts: VenueFacts) -> bool:
    if trigger.temperature_at_least is not None and not _at_least(facts.temperature_c, trigger.temperature_at_least):
        return False
    if trigger.health_codes is not None and facts.health_code not in trigger.health_codes:
        return False
    return not trigger.over_capacity or facts.over_capacity


def _at_least(value: float | None, threshold: float) -> bool:
    # Thermometers report tenths: compare in tenths so 37.3 is not read as 37.29999.
    return value is not None and round(value * 10) >= round(threshold * 10)


def _strongest_per_kind(hits: Iterable[tuple[AlertKind, Severity, str]]) -> list[Finding]:
    strongest: dict[AlertKind, Finding] = {}
    for kind, severity, reason in hits:
        if kind not in strongest or severity.rank > strongest[kind].severity.rank:
            strongest[kind] = Finding(kind, severity, reason)
    return sorted(strongest.values(), key=lambda f: list(AlertKind).index(f.kind))
