"""What a classification makes of a plan: its stages and days, and how a re-classification changes it (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from gridline.auth import scope_keys

from monitoring.days import cutoff_at, iso, local_day
from monitoring.plans.inbound import PersonClassified
from monitoring.vocabulary import NO_MEASURE, strictness


def stages_of(data: PersonClassified, *, today: date) -> list[dict[str, str]]:
    """The classification's stages, or one stage of its measure when the rule has a single one."""
    if data.stages:
        return [{"measure": s.measure, "starts_on": iso(s.starts_on), "ends_on": iso(s.ends_on)} for s in data.stages]
    starts_on = data.starts_on or today
    return [{"measure": data.measure, "starts_on": iso(starts_on), "ends_on": iso(data.ends_on or starts_on)}]


def to_monitor(data: PersonClassified, *, today: date) -> bool:
    """Whether a classification calls for monitoring from today: a measure, and days of it still to come."""
    return data.measure != NO_MEASURE and stages_of(data, today=today)[-1]["ends_on"] >= iso(today)


def stage_measure(stages: list[dict[str, str]], day: str) -> str | None:
    return next((s["measure"] for s in stages if s["starts_on"] <= day <= s["ends_on"]), None)


def first_day(*, opened_at: datetime, cutoff_time: str, starts_on: str) -> str:
    """Check-ins are expected from the day the plan opened, or the next day when it opened after the cut-off."""
    today = local_day(opened_at)
    opening = today if opened_at < cutoff_at(today, cutoff_time) else today + timedelta(days=1)
    return max(starts_on, iso(opening))


def classified_fields(data: PersonClassified, *, today: date, per_day: int) -> dict[str, Any]:
    """The plan fields a classification sets, whether it opens the plan or changes it."""
    stages = stages_of(data, today=today)
    return {
        "measure": data.measure,
        "stages": stages,
        "starts_on": stages[0]["starts_on"],
        "ends_on": stages[-1]["ends_on"],
        "checkins_per_day": per_day,
        "nat_dates": [iso(d) for d in data.nat_dates],
        "rule_set_id": data.rule_set_id,
        "rule_set_version": data.rule_set_version,
        "rule_id": data.rule_id,
        "person_version": data.version,
        "location_version": data.version,
    }


@dataclass(frozen=True)
class Outcome:
    """What a re-classification does to the open plan: nothing, a change of `kind`, or its end."""

    fields: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    ends: bool = False


def reclassified(plan: dict[str, Any], data: PersonClassified, *, today: date, per_day: int) -> Outcome:
    if data.measure == NO_MEASURE:
        return Outcome(fields={"person_version": data.version}, ends=True)
    fields = classified_fields(data, today=today, per_day=per_day)
    fields.update(location(data.community_code, data.grid_id, plan))
    if fields["ends_on"] < iso(today):
        return Outcome(fields={"person_version": data.version}, ends=True)  # the new period is already over
    changed = {k: v for k, v in fields.items() if plan.get(k) != v}
    if set(changed) <= {"person_version", "location_version", "rule_set_version"}:
        return Outcome(fields=changed)  # the same plan under a newer version: remember it, announce nothing
    return Outcome(fields=changed, kind=change_kind(plan, fields))


def change_kind(old: dict[str, Any], new: dict[str, Any]) -> str:
    if strictness(new["measure"]) > strictness(old["measure"]):
        return "tightened"
    if strictness(new["measure"]) < strictness(old["measure"]):
        return "relaxed"
    if new["ends_on"] > old["ends_on"]:
        return "extended"
    if (
        new.get("community_code", old["community_code"]) != old["community_code"]
        or new.get("grid_id", old["grid_id"]) != old["grid_id"]
    ):
        return "moved"
    return "other"


def location(community_code: str, grid_id: str, plan: dict[str, Any]) -> dict[str, Any]:
    """The fields that move a plan to another community or grid; none when it is already there."""
    if (community_code, grid_id) == (plan["community_code"], plan["grid_id"]):
        return {}
    return {"community_code": community_code, "grid_id": grid_id, "scope": scope_keys(community_code, grid_id)}
