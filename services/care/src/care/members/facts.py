"""What a registry fact does to a member: which groups they are in, and what their joining sets off (pure).

A person is a member while they belong to a special group, or while a home measure (isolation, home health
monitoring) runs. A special-group member whose supplies measure starts gets one supplies request: the event
that started it is remembered as `supplies_by`, so a redelivery of that same event is recognised as the
start (and opens the same request again, a no-op) while a later re-classification is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gridline.auth import scope_keys

from care.vocabulary import Group


@dataclass(frozen=True)
class PersonFact:
    """One registry event, reduced to what membership needs; None means the event does not say."""

    person_id: str
    version: int
    community_code: str
    grid_id: str
    name_masked: str | None = None
    phone_masked: str | None = None
    special_groups: list[str] | None = None
    measure: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    retired: bool = False
    may_create: bool = True


@dataclass(frozen=True)
class Rules:
    isolation_measures: frozenset[str]
    supplies_measures: frozenset[str]
    cadence_groups: frozenset[str]


@dataclass
class Change:
    """The member's new fields, and what must happen because of them."""

    fields: dict[str, Any]
    new_chains: dict[str, str] = field(default_factory=dict)  # group -> first due day, visits to start
    supplies: bool = False
    isolation_ends_on: str | None = None


def decide(
    current: dict[str, Any] | None, fact: PersonFact, *, rules: Rules, today: date, event_id: str
) -> Change | None:
    """The change `fact` makes to `current` (None: not a member), or None when it changes nothing."""
    if current is not None and current["person_version"] > fact.version:
        return None  # an older fact arriving late: a newer one already decided
    before = current or {}
    special = _ordered(fact.special_groups if fact.special_groups is not None else before.get("special_groups", []))
    isolation = _isolation(before.get("isolation"), fact, rules, bool(special), event_id)
    groups = member_groups(special, isolation, today)
    status = "merged" if fact.retired else ("active" if groups else "inactive")
    if current is None and (status != "active" or not fact.may_create):
        return None
    fields: dict[str, Any] = {
        "community_code": fact.community_code,
        "grid_id": fact.grid_id,
        "scope": scope_keys(fact.community_code, fact.grid_id),
        "special_groups": special,
        "isolation": isolation,
        "status": status,
        "person_version": fact.version,
        **grouping(fact.community_code, fact.grid_id, groups if status == "active" else []),
    }
    fields |= {k: v for k, v in (("name_masked", fact.name_masked), ("phone_masked", fact.phone_masked)) if v}
    chains = before.get("visit_chains") or {}
    return Change(
        fields=fields,
        new_chains={g: today.isoformat() for g in fields["groups"] if g in rules.cadence_groups and g not in chains},
        supplies=bool(isolation and isolation.get("supplies_by") == event_id),
        isolation_ends_on=isolation.get("ends_on") if isolation else None,
    )


def member_groups(special: Iterable[str], isolation: dict[str, Any] | None, today: date) -> list[str]:
    """The special groups, and `home_isolated` while the home measure's period lasts."""
    groups = set(special)
    if isolation and (isolation.get("ends_on") is None or today <= date.fromisoformat(isolation["ends_on"])):
        groups.add(Group.HOME_ISOLATED.value)
    return _ordered(groups)


def grouping(community_code: str, grid_id: str, groups: list[str]) -> dict[str, Any]:
    """`groups`, and `scope_groups`: jurisdiction × group, so a group filter is one indexed equality."""
    scope = scope_keys(community_code, grid_id)
    return {"groups": groups, "scope_groups": [f"{s}|{g}" for s in scope for g in groups]}


def _isolation(
    previous: dict[str, Any] | None, fact: PersonFact, rules: Rules, special: bool, event_id: str
) -> dict[str, Any] | None:
    if fact.measure is None:
        return previous
    if fact.measure not in rules.isolation_measures:
        return None
    prev = previous or {}
    supplies_by = prev.get("supplies_by") if prev.get("measure") in rules.supplies_measures else None
    if supplies_by is None and special and fact.measure in rules.supplies_measures:
        supplies_by = event_id
    return {
        "measure": fact.measure,
        "starts_on": fact.starts_on.isoformat() if fact.starts_on else None,
        "ends_on": fact.ends_on.isoformat() if fact.ends_on else None,
        "supplies_by": supplies_by,
    }


_ORDER = {g.value: i for i, g in enumerate(Group)}


def _ordered(groups: Iterable[str]) -> list[str]:
    return sorted(set(groups), key=lambda g: (_ORDER.get(g, len(_ORDER)), g))
