"""Every event delivered more than once has exactly one effect."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from gridline.clock import SystemClock
from gridline.outbox import make_event
from gridline.testing import eventually
from registry.persons.events import CLASSIFIED, PersonClassified

from tests.conftest import Platform
from tests.integration.people import COMMUNITY, worker

pytestmark = pytest.mark.integration


def classification(person_id: str, *, version: int = 1, measure: str = "home_health_monitoring") -> PersonClassified:
    return PersonClassified(
        person_id=person_id,
        version=version,
        community_code=COMMUNITY,
        grid_id="grid-1",
        measure=measure,
        previous_measure=None,
        rule_set_id="zj-default",
        rule_set_version=1,
        rule_id="returnee-14",
        episode_id="e1",
        starts_on=date.today() - timedelta(days=2),
        ends_on=date.today() + timedelta(days=11),
        stages=[],
        nat_dates=[date.today() + timedelta(days=4)],
        inputs={"category": "holiday_returnee"},
        special_groups=[],
        classified_at=SystemClock().now(),
    )


async def test_the_same_classification_delivered_five_times_opens_one_plan(platform: Platform) -> None:
    await platform.start("monitoring")
    event = make_event(
        CLASSIFIED, source="/gridline/registry", key="person-1", data=classification("person-1"), clock=SystemClock()
    )
    key, value, headers = event.to_record()

    for _ in range(5):
        await platform.sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=headers)

    runner = platform.runtime("monitoring").consumers[0]

    async def all_five_handled() -> None:
        assert runner.stats.handled == 5

    await eventually(all_five_handled)
    plans = await platform.client("monitoring").get("/v1/plans", headers=worker(platform.sandbox.secrets))
    assert len(plans.json()["items"]) == 1
    assert len(await platform.sandbox.read_topic("monitoring.plan.v1", at_least=1)) == 1


async def test_a_newer_classification_changes_the_open_plan_and_a_late_replay_changes_nothing(
    platform: Platform,
) -> None:
    await platform.start("monitoring")
    clock = SystemClock()
    first = make_event(CLASSIFIED, source="/r", key="p2", data=classification("p2"), clock=clock)
    second = make_event(
        CLASSIFIED, source="/r", key="p2", data=classification("p2", version=2, measure="home_isolation"), clock=clock
    )

    for event in (first, second, first):  # the first redelivered after the second
        key, value, headers = event.to_record()
        await platform.sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=headers)

    runner = platform.runtime("monitoring").consumers[0]

    async def all_handled() -> None:
        assert runner.stats.handled == 3

    await eventually(all_handled)
    plans = platform.sandbox.database("monitoring")["plans"]
    stored = [p async for p in plans.find({"person_id": "p2"})]
    assert [(p["measure"], p["status"], p["version"]) for p in stored] == [("home_isolation", "active", 2)]
    records = await platform.sandbox.read_topic("monitoring.plan.v1", at_least=2)
    changed = [r.event().data for r in records if r.event().type.endswith("plan.changed.v1")]
    assert [(c["change"], c["previous_measure"]) for c in changed] == [("tightened", "home_health_monitoring")]
