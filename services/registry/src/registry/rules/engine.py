"""Classification: which management measure a person's episodes call for under a rule set (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from registry.rules.models import Rule, RuleSet
from registry.vocabulary import Category, HealthCode, Measure, RiskLevel


@dataclass(frozen=True)
class EpisodeFacts:
    """What a rule may look at for one key-population episode."""

    episode_id: str
    category: Category
    origin_risk: RiskLevel
    health_code: HealthCode
    arrival_date: date | None


@dataclass(frozen=True)
class StagePlan:
    measure: Measure
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Classification:
    measure: Measure
    rule_set_id: str
    rule_set_version: int
    rule_id: str | None
    episode_id: str | None
    starts_on: date | None
    ends_on: date | None
    stages: list[StagePlan] = field(default_factory=list)
    nat_dates: list[date] = field(default_factory=list)
    inputs: dict[str, str | int | None] = field(default_factory=dict)


def classify(episodes: list[EpisodeFacts], rule_set: RuleSet, *, today: date) -> Classification:
    """The strictest measure any episode calls for today; `none` when no rule applies."""
    candidates = [c for c in (_classify_episode(e, rule_set, today) for e in episodes) if c is not None]
    if not candidates:
        return Classification(Measure.NONE, rule_set.id, rule_set.version, None, None, None, None)
    return max(candidates, key=lambda c: (c.measure.strictness, c.ends_on or date.min))


def _classify_episode(facts: EpisodeFacts, rule_set: RuleSet, today: date) -> Classification | None:
    days = (today - facts.arrival_date).days if facts.arrival_date else None
    for rule in rule_set.rules:
        if not _matches(rule, facts, days):
            continue
        stages = _stages(rule, start=facts.arrival_date or today)
        current = next((s for s in stages if s.starts_on <= today <= s.ends_on), None)
        if current is None:
            continue  # every stage of this rule is already over
        return Classification(
            measure=current.measure,
            rule_set_id=rule_set.id,
            rule_set_version=rule_set.version,
            rule_id=rule.id,
            episode_id=facts.episode_id,
            starts_on=stages[0].starts_on,
            ends_on=stages[-1].ends_on,
            stages=stages,
            nat_dates=[stages[0].starts_on + timedelta(days=n - 1) for n in rule.nat_days],
            inputs={
                "category": facts.category.value,
                "origin_risk": facts.origin_risk.value,
                "health_code": facts.health_code.value,
                "days_since_arrival": days,
            },
        )
    return None


def _matches(rule: Rule, facts: EpisodeFacts, days: int | None) -> bool:
    when = rule.when
    if when.categories is not None and facts.category not in when.categories:
        return False
    if when.origin_risk is not None and facts.origin_risk not in when.origin_risk:
        return False
    if when.health_codes is not None and facts.health_code not in when.health_codes:
        return False
    return not (when.max_days_since_arrival is not None and days is not None and days > when.max_days_since_arrival)


def _stages(rule: Rule, *, start: date) -> list[StagePlan]:
    stages = []
    for stage in rule.stages:
        end = start + timedelta(days=stage.duration_days - 1)
        stages.append(StagePlan(stage.measure, start, end))
        start = end + timedelta(days=1)
    return stages
