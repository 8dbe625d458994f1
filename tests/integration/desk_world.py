"""Setup for the desk, helper and statistics journeys: a person under monitoring, a roster, helpers, requests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
from gridline.clock import LOCAL_TZ, SystemClock
from gridline.outbox import make_event
from gridline.testing import eventually
from registry.persons.events import CLASSIFIED

from tests.integration.monitored import classification
from tests.integration.pages import Site

COMMUNITY = "330106001001"
TOWNSHIP = "330106001"
GRID = "grid-desk"
OFFICER = {"subject": "demo-duty-officer-1", "name": "刘洋"}
LEADER = {"subject": "demo-leader-1", "name": "郑带班"}
COLLEAGUE = {"subject": "demo-duty-officer-2", "name": "钱值班"}


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


async def monitored_person(site: Site, person_id: str) -> dict[str, Any]:
    """A person under home health monitoring from today, as registry classifies them; monitoring's open plan."""
    data = classification(person_id, starts_on=today(), community=COMMUNITY, grid=GRID)
    event = make_event(CLASSIFIED, source="/gridline/registry", key=person_id, data=data, clock=SystemClock())
    key, value, headers = event.to_record()
    await site.sandbox.publish_raw("registry.person.v1", value=value, key=key, headers=headers)
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:

        async def opened() -> dict[str, Any]:
            answer = await monitoring.get("/v1/plans", params={"person_id": person_id, "status": "active"})
            assert answer.status_code == 200, answer.text
            items = answer.json()["items"]
            assert len(items) == 1, items
            found: dict[str, Any] = items[0]
            return found

        return await eventually(opened)


async def check_in(site: Site, plan_id: str, temperature: float) -> dict[str, Any]:
    body = {"method": "visit", "temperature_c": temperature, "symptoms": [], "health_code": "green"}
    async with site.api("monitoring", "grid_worker", jurisdiction=COMMUNITY) as monitoring:
        answer = await monitoring.post(f"/v1/plans/{plan_id}/checkins", json=body)
        assert answer.status_code == 201, answer.text
        recorded: dict[str, Any] = answer.json()
        return recorded


async def roster(site: Site) -> dict[str, Any]:
    """The community's day and night shifts since yesterday: the demo duty officer, then a colleague, in turn.

    Made once per module (the same key and body again return the same rotation)."""
    body = {
        "community_code": COMMUNITY,
        "name": "本月值班表",
        "kind": "daily",
        "starts_on": (today() - timedelta(days=1)).isoformat(),
        "shift_starts": ["00:00", "12:00"],
        "crews": [{"duty_officer": OFFICER, "leader": LEADER}, {"duty_officer": COLLEAGUE, "leader": LEADER}],
    }
    async with site.api("duty", "community_admin", jurisdiction=COMMUNITY) as duty:
        answer = await duty.post("/v1/rotations", json=body, headers={"Idempotency-Key": "desk-roster"})
        assert answer.status_code in (200, 201), answer.text
        rotation: dict[str, Any] = answer.json()
        return rotation


async def incidents_of(duty: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    answer = await duty.get("/v1/incidents", params={"community_code": COMMUNITY, "limit": "200", **params})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items
