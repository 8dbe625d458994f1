"""Test support for care: registry and monitoring facts as those services publish them, helpers, tokens."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from care.main import create_app
from care.members import service as members
from care.settings import CareSettings
from gridline import jobs
from gridline.clock import Clock, FixedClock, SystemClock
from gridline.events import Event, EventData, EventSpec
from gridline.outbox import make_event
from gridline.testing import Received, Running, Sandbox, Secrets, eventually
from monitoring.alerts import events as alerts
from registry.persons.events import CLASSIFIED, REGISTERED, PersonClassified, PersonRegistered, PersonUpdated

from tests.conftest import Platform
from tests.integration.people import COMMUNITY

# 2026-03-02 is a Monday; 10:00 in Shanghai.
MONDAY_MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ALERT_TOPIC = "monitoring.alert.v1"


ALERT_RAISED = alerts.RAISED
AlertRaised = alerts.AlertRaised


def clock_at(moment: datetime = MONDAY_MORNING) -> FixedClock:
    return FixedClock(moment)


def registered(person_id: str, *, groups: list[str], version: int = 1, community: str = COMMUNITY) -> PersonRegistered:
    return PersonRegistered(
        person_id=person_id,
        version=version,
        community_code=community,
        grid_id="grid-1",
        name_masked="李*英",
        document_type="prc_id",
        document_masked="330106********0024",
        phone_masked="139****0002",
        special_groups=groups,
        categories=[],
        registered_at=SystemClock().now(),
    )


def classified(
    person_id: str,
    *,
    measure: str,
    groups: list[str],
    version: int = 1,
    starts_on: date = date(2026, 3, 2),
    days: int = 14,
    community: str = COMMUNITY,
) -> PersonClassified:
    return PersonClassified(
        person_id=person_id,
        version=version,
        community_code=community,
        grid_id="grid-1",
        measure=measure,
        previous_measure=None,
        rule_set_id="zj-default",
        rule_set_version=1,
        rule_id="risk-area-home-isolation",
        episode_id="e1",
        starts_on=starts_on if measure != "none" else None,
        ends_on=starts_on + timedelta(days=days - 1) if measure != "none" else None,
        stages=[],
        nat_dates=[],
        inputs={},
        special_groups=groups,
        classified_at=SystemClock().now(),
    )


def person_updated(person_id: str, *, groups: list[str], status: str = "active") -> PersonUpdated:
    return PersonUpdated(
        person_id=person_id,
        version=2,
        community_code=COMMUNITY,
        grid_id="grid-1",
        changed=["special_groups"],
        name_masked="李*英",
        phone_masked="139****0002",
        special_groups=groups,
        status=status,
        merged_into="p-x" if status == "merged" else None,
    )


def fever(person_id: str, *, alert_id: str = "alert-1", severity: str = "high", kind: str = "fever") -> AlertRaised:
    return AlertRaised(
        alert_id=alert_id,
        kind=kind,
        severity=severity,
        community_code=COMMUNITY,
        grid_id="grid-1",
        person_id=person_id,
        plan_id="plan-1",
        checkin_id="checkin-1",
        venue_id=None,
        reason="体温 38.2 ℃",
        raised_at=SystemClock().now(),
    )


async def deliver(sandbox: Sandbox, spec: EventSpec, data: EventData, *, key: str, times: int = 1) -> Event:
    """Publish one event as its producer would, `times` times (a redelivery keeps the same ce_id)."""
    event = make_event(spec, source="/gridline/test", key=key, data=data, clock=SystemClock())
    record_key, value, headers = event.to_record()
    for _ in range(times):
        await sandbox.publish_raw(spec.topic, value=value, key=record_key, headers=headers)
    return event


async def member_facts(sandbox: Sandbox, person_id: str, *events: tuple[EventSpec, EventData], times: int = 1) -> None:
    for spec, data in events:
        await deliver(sandbox, spec, data, key=person_id, times=times)


def elderly_registered(person_id: str) -> tuple[EventSpec, EventData]:
    return REGISTERED, registered(person_id, groups=["elderly_in_difficulty"])


def isolated(person_id: str, *, groups: list[str] | None = None, version: int = 1) -> tuple[EventSpec, EventData]:
    special = ["elderly_in_difficulty"] if groups is None else groups
    return CLASSIFIED, classified(person_id, measure="home_isolation", groups=special, version=version)


async def handled(platform: Platform, purpose: str, count: int, *, app: str = "care") -> None:
    """Wait until the consumer for `purpose` has handled `count` records (duplicates included)."""
    runners = [c for c in platform.runtime(app).consumers if c.group.endswith(f"care.{purpose}")]

    async def done() -> None:
        assert sum(r.stats.handled for r in runners) >= count

    await eventually(done, timeout=60)


def coordinator(secrets: Secrets, *, jurisdiction: str = COMMUNITY, subject: str = "worker-1") -> dict[str, str]:
    return secrets.headers("grid_worker", jurisdiction=jurisdiction, subject=subject)


def community_admin(secrets: Secrets, *, jurisdiction: str = COMMUNITY) -> dict[str, str]:
    return secrets.headers("community_admin", jurisdiction=jurisdiction, subject="admin-1")


def volunteer(secrets: Secrets, account: str, *, jurisdiction: str = COMMUNITY) -> dict[str, str]:
    return secrets.headers("volunteer", jurisdiction=jurisdiction, subject=account)


ALWAYS = [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"}]


def helper_body(name: str, *, skills: list[str], communities: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "party_member_volunteer",
        "skills": skills,
        "communities": communities or [COMMUNITY],
        "windows": ALWAYS,
        **extra,
    }


async def register_helper(care: httpx.AsyncClient, secrets: Secrets, body: dict[str, Any]) -> dict[str, Any]:
    jurisdiction = body["communities"][0][:9] if len(body["communities"]) > 1 else body["communities"][0]
    response = await care.post("/v1/helpers", json=body, headers=community_admin(secrets, jurisdiction=jurisdiction))
    assert response.status_code == 201, response.text
    helper: dict[str, Any] = response.json()
    return helper


async def open_request(
    care: httpx.AsyncClient, secrets: Secrets, *, type_: str = "medicine", priority: str = "urgent", **extra: Any
) -> dict[str, Any]:
    body = {"community_code": COMMUNITY, "type": type_, "priority": priority, "needs": "降压药两盒", **extra}
    response = await care.post("/v1/requests", json=body, headers=coordinator(secrets))
    assert response.status_code == 201, response.text
    request: dict[str, Any] = response.json()
    return request


async def events_of(sandbox: Sandbox, topic: str, *, at_least: int, timeout: float = 20) -> list[Event]:
    records: list[Received] = await sandbox.read_topic(topic, at_least=at_least, timeout=timeout)
    return [r.event() for r in records]


def advance(clock: Clock, delta: timedelta) -> None:
    assert isinstance(clock, FixedClock)
    clock.advance(delta)


@contextlib.asynccontextmanager
async def two_replicas(sandbox: Sandbox, clock: FixedClock, **overrides: Any) -> AsyncIterator[Running]:
    """Two replicas of care on one database and one broker, as two pods would run, sharing one clock."""
    running = Running()
    try:
        for name in ("care-a", "care-b"):
            settings = CareSettings(**sandbox.settings("care", instance_id=name, **overrides))
            await running.start(name, create_app(settings, clock=clock))
        yield running
    finally:
        await running.close()


async def retried(send: Callable[[], Awaitable[httpx.Response]], expected: int = 200) -> httpx.Response:
    """Send again while the service answers 409 "being updated, retry" (a member's events may be landing)."""

    async def answered() -> httpx.Response:
        response = await send()
        assert response.status_code != 409, response.text
        return response

    response = await eventually(answered, timeout=30)
    assert response.status_code == expected, response.text
    return response


def member_written_after_timer_ran(platform: Platform, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Hold each member write until the runner has taken and finished a timer of `kind` stored ahead of it,
    as a runner polling at that moment would: the timer finds no member yet."""
    job_store = platform.runtime("care").database()[jobs.COLLECTION]
    write_member = members._write

    async def written_after_the_timer(*args: Any) -> bool:
        async def taken() -> None:
            assert await job_store.count_documents({"kind": kind, "status": "done"}) == 1

        await eventually(taken, timeout=30)
        return await write_member(*args)

    monkeypatch.setattr(members, "_write", written_after_the_timer)
