"""Membership decided from registry facts (pure): groups, the home-isolation period, the one supplies request."""

from __future__ import annotations

from datetime import date
from typing import Any

from care.members.facts import Change, PersonFact, Rules, decide

RULES = Rules(
    isolation_measures=frozenset({"home_isolation", "home_health_monitoring"}),
    supplies_measures=frozenset({"home_isolation"}),
    cadence_groups=frozenset({"elderly_in_difficulty", "home_isolated"}),
)
TODAY = date(2026, 3, 2)


def fact(**fields: Any) -> PersonFact:
    return PersonFact(**{"person_id": "p", "version": 1, "community_code": "330106001001", "grid_id": "g", **fields})


def isolation(**fields: Any) -> PersonFact:
    return fact(**{"measure": "home_isolation", "starts_on": TODAY, "ends_on": date(2026, 3, 15), **fields})


def stored(change: Change, **extra: Any) -> dict[str, Any]:
    return {**change.fields, "visit_chains": change.new_chains, **extra}


def test_a_special_group_person_becomes_a_member_and_starts_their_groups_visits() -> None:
    change = decide(None, fact(special_groups=["elderly_in_difficulty"]), rules=RULES, today=TODAY, event_id="e1")

    assert change is not None
    assert (change.fields["groups"], change.fields["status"], change.supplies) == (
        ["elderly_in_difficulty"],
        "active",
        False,
    )
    assert change.new_chains == {"elderly_in_difficulty": "2026-03-02"}
    assert "330106001001|elderly_in_difficulty" in change.fields["scope_groups"]


def test_a_person_of_no_group_and_no_home_measure_is_no_member() -> None:
    assert decide(None, fact(special_groups=[]), rules=RULES, today=TODAY, event_id="e1") is None
    assert decide(None, fact(measure="centralised_isolation"), rules=RULES, today=TODAY, event_id="e1") is None


def test_a_special_group_member_entering_home_isolation_gets_supplies_and_the_same_event_again_gets_them_again() -> (
    None
):
    first = decide(None, isolation(special_groups=["disabled"]), rules=RULES, today=TODAY, event_id="e1")
    assert first is not None
    assert first.supplies
    assert first.fields["groups"] == ["disabled", "home_isolated"]
    assert first.isolation_ends_on == "2026-03-15"

    redelivered = decide(
        stored(first, person_version=1), isolation(special_groups=["disabled"]), rules=RULES, today=TODAY, event_id="e1"
    )
    assert redelivered is not None
    assert redelivered.supplies  # recognised as the start: opens the same request id, a no-op


def test_an_extended_isolation_is_not_a_new_start() -> None:
    first = decide(None, isolation(special_groups=["disabled"]), rules=RULES, today=TODAY, event_id="e1")
    assert first is not None
    extended = isolation(special_groups=["disabled"], version=2, ends_on=date(2026, 3, 22))

    change = decide(stored(first), extended, rules=RULES, today=TODAY, event_id="e2")

    assert change is not None
    assert not change.supplies
    assert change.fields["isolation"]["supplies_by"] == "e1"


def test_home_isolation_without_a_special_group_gets_no_supplies_and_home_health_monitoring_neither() -> None:
    alone = decide(None, isolation(special_groups=[]), rules=RULES, today=TODAY, event_id="e1")
    monitored = decide(
        None, fact(measure="home_health_monitoring", special_groups=["orphan"]), rules=RULES, today=TODAY, event_id="e1"
    )

    assert alone is not None
    assert monitored is not None
    assert (alone.supplies, alone.fields["groups"]) == (False, ["home_isolated"])
    assert (monitored.supplies, monitored.fields["groups"]) == (False, ["orphan", "home_isolated"])


def test_an_older_fact_changes_nothing_and_one_of_the_same_version_applies_again() -> None:
    current = {"person_version": 3, "special_groups": ["orphan"], "visit_chains": {}}

    assert decide(current, fact(version=2, special_groups=[]), rules=RULES, today=TODAY, event_id="e") is None
    assert (
        decide(current, fact(version=3, special_groups=["orphan"]), rules=RULES, today=TODAY, event_id="e") is not None
    )


def test_a_period_already_over_gives_no_home_isolated_group() -> None:
    change = decide(None, isolation(special_groups=["orphan"]), rules=RULES, today=date(2026, 3, 16), event_id="e")

    assert change is not None
    assert change.fields["groups"] == ["orphan"]


def test_a_retired_record_leaves_every_group_and_a_transfer_of_a_stranger_creates_nobody() -> None:
    member = decide(None, fact(special_groups=["orphan"]), rules=RULES, today=TODAY, event_id="e1")
    assert member is not None

    retired = decide(
        stored(member, person_version=1), fact(version=2, retired=True), rules=RULES, today=TODAY, event_id="e2"
    )
    stranger = decide(None, fact(may_create=False), rules=RULES, today=TODAY, event_id="e3")

    assert retired is not None
    assert (retired.fields["status"], retired.fields["groups"], retired.fields["scope_groups"]) == ("merged", [], [])
    assert stranger is None


def test_a_running_visit_chain_is_not_started_twice() -> None:
    current = {
        "person_version": 1,
        "special_groups": ["elderly_in_difficulty"],
        "visit_chains": {"elderly_in_difficulty": "2026-03-05"},
    }

    change = decide(
        current, fact(version=2, special_groups=["elderly_in_difficulty"]), rules=RULES, today=TODAY, event_id="e"
    )

    assert change is not None
    assert change.new_chains == {}
