"""Classify a stored person under the rule set in force, and the event that says so."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.clock import Clock, local_today
from gridline.events import Event
from gridline.mongo import Database
from gridline.outbox import make_event

from registry.persons import events
from registry.risk_areas.service import origin_risk
from registry.rules import service as rules
from registry.rules.engine import Classification, EpisodeFacts, classify
from registry.vocabulary import Category, HealthCode

SOURCE = "/gridline/registry"


async def classify_person(*, db: Database, clock: Clock, person: dict[str, Any]) -> Classification:
    today = local_today(clock)
    facts = [await _facts(db, clock, e) for e in person.get("episodes", []) if e.get("status") == "active"]
    rule_set = await rules.in_force(db=db, county=person["community_code"][:6], on=today)
    return classify(facts, rule_set, today=today)


async def _facts(db: Database, clock: Clock, episode: dict[str, Any]) -> EpisodeFacts:
    arrival = date.fromisoformat(episode["arrival_date"]) if episode.get("arrival_date") else None
    return EpisodeFacts(
        episode_id=episode["id"],
        category=Category(episode["category"]),
        origin_risk=await origin_risk(db=db, origin_code=episode.get("origin_division_code"), at=clock.now()),
        health_code=HealthCode(episode.get("health_code", "green")),
        arrival_date=arrival,
    )


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
