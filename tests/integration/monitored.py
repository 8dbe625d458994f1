"""Test support for monitoring: classifications as registry publishes them, plans opened, clocks in Beijing time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from gridline.clock import LOCAL_TZ, Clock, FixedClock, SystemClock
from gridline.outbox import make_event
from gridline.testing import eventually
from registry.persons.events import CLASSIFIED, PersonClassified, PersonMerged, PersonUpdated

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, COUNTY, worker

GRID = "grid-a"


def beijing(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LOCAL_TZ)


def clock_at(day: date, hour: int, minute: int = 0) -> FixedClock:
    return FixedClock(beijing(day, hour, minute))


def classification(
    person_id: str,
    *,
    version: int = 1,
    measure: str = "home_health_monitoring",
    starts_on: date,
    days: int = 14,
    community: str = COMMUNITY,
    grid: str = GRID,
    nat_days: tuple[int, ...] = (7, 14),
    stages: list[tuple[str, int]] | None = None,
    clock: Clock | None = None,
) -> PersonClassified:
    staged = []
    start = starts_on
    for stage_measure, length in stages or []:
        staged.append({"measure": stage_measure, "starts_on": start, "ends_on": start + timedelta(days=length - 1)})
        start += timedelta(days=length)
    ends_on = staged[-1]["ends_on"] if staged else starts_on + timedelta(days=days - 1)
    return PersonClassified.model_validate(
        {
            "person_id": person_id,
            "version": version,
            "community_code": community,
            "grid_id": grid,
            "measure": measure,
            "previous_measure": None,
            "rule_set_id": "zj-default",
            "rule_set_version": 1,
            "rule_id": "returnee-14",
            "episode_id": "e1",
            "starts_on": starts_on if measure != "none" else None,
            "ends_on": ends_on if measure != "none" else None,
            "stages": staged,
            "nat_dates": [starts_on + timedelta(days=n - 1) for n in nat_days] if measure != "none" else [],
            "inputs": {"category": "holiday_returnee"},
            "special_groups": [],
            "classified_at": (clock or SystemClock()).now(),
        }
    )


async def publish(platform: Platform, data: Any, *, key: str, spec: Any = CLASSIFIED) -> None:
    event = make_event(spec, source="/gridline/registry", key=key, data=data, clock=SystemClock())
    record_key, value, headers = event.to_record()
    await platform.sandbox.publish_raw("registry.person.v1", value=value, key=record_key, headers=headers)


async def open_plan(platform: Platform, person_id: str, **options: Any) -> dict[str, Any]:
    """Publish a classification for `person_id` and wait for monitoring's plan; returns it as the API reads it."""
    await publish(platform, classification(person_id, **options), key=person_id)
    plan: dict[str, Any] = await plan_of(platform, person_id)
    return plan


async def plan_of(platform: Platform, person_id: str, *, status: str = "active", client: str = "monitoring") -> Any:
    headers = worker(platform.sandbox.secrets, jurisdiction=COUNTY)

    async def opened() -> dict[str, Any]:
        response = await platform.client(client).get(
            "/v1/plans", params={"person_id": person_id, "status": status}, headers=headers
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 1, items
        plan: dict[str, Any] = items[0]
        return plan

    return await eventually(opened)


def merged(survivor: str, duplicate: str, *, version: int) -> PersonMerged:
    return PersonMerged(
        person_id=survivor,
        version=version,
        merged_person_id=duplicate,
        community_code=COMMUNITY,
        grid_id=GRID,
        special_groups=[],
    )


def retired(person_id: str, *, into: str, version: int) -> PersonUpdated:
    return PersonUpdated(
        person_id=person_id,
        version=version,
        community_code=COMMUNITY,
        grid_id=GRID,
        changed=["status", "merged_into"],
        name_masked="王*国",
        phone_masked=None,
        special_groups=[],
        status="merged",
        merged_into=into,
    )


async def events_of(platform: Platform, topic: str, type_suffix: str, *, at_least: int = 1) -> list[dict[str, Any]]:
    """The payloads of every `type_suffix` event on `topic` (waits for `at_least` of them)."""

    async def enough() -> list[dict[str, Any]]:
        records = await platform.sandbox.read_topic(topic, at_least=at_least, timeout=5)
        found = [r.event().data for r in records if r.event().type.endswith(type_suffix)]
        assert len(found) >= at_least, found
        return found

    return await eventually(enough, timeout=60)
