"""Classify a stored person under the rule set in force, and the event that says so."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.clock import Clock
from gridline.events import Event
from gridline.outbox import make_event

from registry.persons import events
from registry.rules.engine import Classification, EpisodeFacts, classify
from registry.rules.snapshot import Snapshot
from registry.vocabulary import Category, HealthCode

SOURCE = "/gridline/registry"


def classify_person(snapshot: Snapshot, person: dict[str, Any]) -> Classification:
    """The classification a stored (or about to be stored) person gets under `snapshot` (pure)."""
    facts = [_facts(snapshot, e) for e in person.get("episodes", []) if e.get("status") == "active"]
    return classify(facts, snapshot.rule_set_for(person["community_code"][:6]), today=snapshot.today)


def _facts(snapshot: Snapshot, episode: dict[str, Any]) -> EpisodeFacts:
    arrival = date.fromisoformat(episode["arrival_date"]) if episode.get("arrival_date") else None
    return EpisodeFacts(
        episode_id=episode["id"],
        category=Category(episode["category"]),
        origin_risk=snapshot.origin_risk(episode.get("origin_division_code"), arrival),
        health_code=HealthCode(episode.get("health_code", "green")),
        arrival_date=arrival,
    )


_COMPARED = ("measure", "rule_set_id", "rule_set_version", "rule_id", "starts_on", "ends_on", "nat_dates")


def same_classification(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """Whether a re-run decided the same thing: then there is nothing to write and nothing to announce."""
    return all((old or {}).get(k) == new[k] for k in _COMPARED)


def stored(result: Classification, *, at: Any) -> dict[str, Any]:
    """The classification as kept on the person document."""
    return {
        "measure": result.measure.value,
        "rule_set_id": result.rule_set_id,
        "rule_set_version": result.rule_set_version,
        "rule_id": result.rule_id,
        "episode_id": result.episode_id,
        "starts_on": result.starts_on.isoformat() if result.starts_on else None,
        "ends_on": result.ends_on.isoformat() if result.ends_on else None,
        "stages": [
            {
                "measure": s.measure.value,
                "starts_on": s.starts_on.isoformat(),
                "ends_on": s.ends_on.isoformat(),
            }
            for s in result.stages
        ],
        "nat_dates": [d.isoformat() for d in result.nat_dates],
        "inputs": result.inputs,
        "classified_at": at,
    }


def classified_event(
    *, person: dict[str, Any], result: Classification, previous: str | None, version: int, clock: Clock
) -> Event:
    data = events.PersonClassified(
        person_id=person["_id"],
        version=version,
        community_code=person["community_code"],
        grid_id=person["grid_id"],
        measure=result.measure.value,
        previous_measure=previous,
        rule_set_id=result.rule_set_id,
        rule_set_version=result.rule_set_version,
        rule_id=result.rule_id,
        episode_id=result.episode_id,
        starts_on=result.starts_on,
        ends_on=result.ends_on,
        stages=[
            events.StageData(measure=s.measure.value, starts_on=s.starts_on, ends_on=s.ends_on) for s in result.stages
        ],
        nat_dates=result.nat_dates,
        inputs=result.inputs,
        special_groups=person.get("special_groups", []),
        classified_at=clock.now(),
    )
    return make_event(events.CLASSIFIED, source=SOURCE, key=person["_id"], data=data, clock=clock)
