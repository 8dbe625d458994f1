"""A recurring request opens on its schedule, once per occurrence, until stopped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from care.templates import service as templates
from gridline import jobs
from gridline.idempotency import insert_once
from gridline.mongo import AutoReconnect
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.care_world import (
    clock_at,
    coordinator,
    elderly_registered,
    handled,
    isolated,
    member_facts,
    retried,
)

pytestmark = pytest.mark.integration


async def template_requests(platform: Platform, person_id: str) -> list[dict[str, Any]]:
    response = await platform.client("care").get(
        "/v1/requests", params={"person_id": person_id}, headers=coordinator(platform.sandbox.secrets)
    )
    return [r for r in response.json()["items"] if r["source"] == "template"]


async def test_weekly_groceries_open_each_week_until_the_template_is_stopped(platform: Platform) -> None:
    clock = clock_at()  # Monday 10:00
    await platform.start("care", clock=clock)
    care, headers = platform.client("care"), coordinator(platform.sandbox.secrets)
    await member_facts(platform.sandbox, "p-1", elderly_registered("p-1"), isolated("p-1"))
    await handled(platform, "members", 2)
    body = {
        "person_id": "p-1",
        "type": "shopping",
        "needs": "每周买菜：蔬菜、鸡蛋、米",
        "every_days": 7,
        "first_on": "2026-03-02",
        "at": "09:00",
    }

    created = await care.post("/v1/request-templates", json=body, headers=headers)
    assert created.status_code == 201, created.text
    template = created.json()

    async def opened(count: int) -> None:
        assert len(await template_requests(platform, "p-1")) == count

    await eventually(lambda: opened(1), timeout=60)
    clock.advance(timedelta(days=7))
    await eventually(lambda: opened(2), timeout=60)

    stopped = await retried(lambda: care.post(f"/v1/request-templates/{template['id']}/stop", headers=headers))
    assert (stopped.json()["active"], stopped.json()["next_on"]) == (False, None)
    clock.advance(timedelta(days=7))

    async def counted() -> None:
        listed = await care.get("/v1/request-templates", headers=headers)
        assert listed.json()["items"][0]["opened_requests"] == 2

    await eventually(counted)
    requests = await template_requests(platform, "p-1")
    assert len(requests) == 2
    assert {r["template_id"] for r in requests} == {template["id"]}
    assert all(r["community_code"] == "330106001001" for r in requests)


MONDAY_NINE = {
    "person_id": "p-1",
    "type": "shopping",
    "needs": "买菜",
    "every_days": 7,
    "first_on": "2026-03-02",
    "at": "09:00",
}


async def care_for_p1(platform: Platform) -> tuple[httpx.AsyncClient, dict[str, str]]:
    """Care at Monday 10:00 with p-1 a home-isolated elder, and a coordinator's headers."""
    await platform.start("care", clock=clock_at())
    await member_facts(platform.sandbox, "p-1", elderly_registered("p-1"), isolated("p-1"))
    await handled(platform, "members", 2)
    return platform.client("care"), coordinator(platform.sandbox.secrets)


async def opened_for_p1(platform: Platform, count: int) -> None:
    async def opened() -> None:
        assert len(await template_requests(platform, "p-1")) == count

    await eventually(opened, timeout=60)


async def test_a_first_day_already_past_its_hour_opens_however_soon_its_job_runs(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monday 09:00 asked for at 10:00 is due at once: its job must not run before the template is stored."""
    care, headers = await care_for_p1(platform)
    job_store = platform.runtime("care").database()[jobs.COLLECTION]

    async def store_after_the_runner_took_what_was_due(*args: Any, **kwargs: Any) -> dict[str, Any]:
        # The runner polls every half second; a job already stored for the template is left to it first.
        async def taken() -> None:
            assert await job_store.count_documents({"kind": templates.KIND, "status": "pending"}) == 0

        await eventually(taken, timeout=30)
        return await insert_once(*args, **kwargs)

    monkeypatch.setattr(templates, "insert_once", store_after_the_runner_took_what_was_due)
    created = await care.post("/v1/request-templates", json=MONDAY_NINE, headers=headers)

    assert created.status_code == 201, created.text

    await opened_for_p1(platform, 1)


async def test_a_keyed_retry_schedules_what_an_interrupted_create_did_not(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    care, headers = await care_for_p1(platform)
    schedule_first_job = templates.schedule

    async def stopped_before_scheduling(**kwargs: Any) -> None:
        monkeypatch.setattr(templates, "schedule", schedule_first_job)
        raise AutoReconnect("the database went away after the template was stored")

    monkeypatch.setattr(templates, "schedule", stopped_before_scheduling)
    keyed = {**headers, "Idempotency-Key": "tpl-groceries-1"}

    with pytest.raises(AutoReconnect):  # the in-process client hands back what the server answered 503 for
        await care.post("/v1/request-templates", json=MONDAY_NINE, headers=keyed)
    retry = await care.post("/v1/request-templates", json=MONDAY_NINE, headers=keyed)

    assert retry.status_code == 201, retry.text
    listed = await care.get("/v1/request-templates", headers=headers)
    assert [t["id"] for t in listed.json()["items"]] == [retry.json()["id"]]  # replayed, not stored twice

    await opened_for_p1(platform, 1)


async def test_a_template_needs_a_place_and_a_sensible_schedule(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, headers = platform.client("care"), coordinator(platform.sandbox.secrets)
    base = {"type": "shopping", "needs": "买菜", "every_days": 7, "first_on": "2026-03-02"}

    nowhere = await care.post("/v1/request-templates", json=base, headers=headers)
    backwards = await care.post(
        "/v1/request-templates",
        json={**base, "community_code": "330106001001", "last_on": "2026-03-01"},
        headers=headers,
    )
    never = await care.post(
        "/v1/request-templates", json={**base, "community_code": "330106001001", "every_days": 0}, headers=headers
    )

    past = await care.post(
        "/v1/request-templates",
        json={**base, "community_code": "330106001001", "first_on": "2026-03-01"},
        headers=headers,
    )

    assert (nowhere.status_code, backwards.status_code, never.status_code) == (422, 422, 422)
    assert past.status_code == 422
    assert past.json()["errors"][0]["path"] == "first_on"
