"""Setup for the desk, helper and statistics journeys: a person under monitoring, a roster, helpers, requests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
from gridline.clock import LOCAL_TZ, SystemClock
from gridline.outbox import make_event
from gridline.testing import eventually
from registry.persons.events import CLASSIFIED, REGISTERED

from tests.integration.care_world import deliver, registered
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


ALWAYS = [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"}]


async def assigned_request(
    site: Site, account: str, name: str, phone: str, *, kind: str = "party_member_volunteer"
) -> dict[str, Any]:
    """A medicine request of the community, assigned to the helper who signs in as `account` (registered here)."""
    helper = {
        "name": name,
        "kind": kind,
        "skills": ["medicine"],
        "communities": [COMMUNITY],
        "windows": ALWAYS,
        "account": account,
    }
    async with site.api("care", "community_admin", jurisdiction=COMMUNITY) as care:
        answer = await care.post("/v1/helpers", json=helper)
        assert answer.status_code == 201, answer.text
        helper_id = answer.json()["id"]
        body = {
            "community_code": COMMUNITY,
            "type": "medicine",
            "priority": "urgent",
            "needs": "降压药两盒",
            "contact": {"name": "李秀英", "phone": phone, "address": "北山街道曙光路12号3单元"},
        }
        answer = await care.post("/v1/requests", json=body)
        assert answer.status_code == 201, answer.text
        request: dict[str, Any] = answer.json()
        answer = await care.post(f"/v1/requests/{request['id']}/assign", json={"helper_id": helper_id})
        assert answer.status_code == 200, answer.text
        return request


async def elderly_member(site: Site, person_id: str) -> dict[str, Any]:
    """A member in difficulty, as registry registers them; care's first visit falls due the same day."""
    data = registered(person_id, groups=["elderly_in_difficulty"], community=COMMUNITY)
    await deliver(site.sandbox, REGISTERED, data, key=person_id)
    async with site.api("care", "social_worker", jurisdiction=COMMUNITY) as care:

        async def due() -> dict[str, Any]:
            answer = await care.get("/v1/visits")
            mine = [v for v in answer.json()["items"] if v["member_id"] == person_id]
            assert len(mine) == 1, answer.text
            found: dict[str, Any] = mine[0]
            return found

        return await eventually(due)


async def short_supply(site: Site, item: str) -> dict[str, Any]:
    """A supply of the community store with less in stock than its minimum reserve."""
    async with site.api("duty", "community_admin", jurisdiction=COMMUNITY) as duty:
        body = {"community_code": COMMUNITY, "item": item, "unit": "个", "minimum": 500}
        answer = await duty.post("/v1/supplies", json=body)
        assert answer.status_code == 201, answer.text
        supply: dict[str, Any] = answer.json()
        answer = await duty.post(f"/v1/supplies/{supply['id']}/movements", json={"kind": "received", "quantity": 40})
        assert answer.status_code in (200, 201), answer.text
        return supply
