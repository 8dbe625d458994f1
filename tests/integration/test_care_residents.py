"""A resident asks for help through a signed link, without an account, and follows the request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import Platform
from tests.integration.care_world import (
    clock_at,
    coordinator,
    elderly_registered,
    handled,
    member_facts,
    open_request,
    retried,
)

pytestmark = pytest.mark.integration


async def test_a_member_opens_a_request_with_their_link_and_sees_only_their_own(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("care", clock=clock)
    care, secrets = platform.client("care"), platform.sandbox.secrets
    await member_facts(platform.sandbox, "p-1", elderly_registered("p-1"))
    await handled(platform, "members", 1)
    contact = {"phone": "13905710002"}
    await retried(lambda: care.put("/v1/members/p-1/contact", json=contact, headers=coordinator(secrets)))
    issued = await care.post("/v1/members/p-1/help-links", headers=coordinator(secrets))
    assert issued.status_code == 201, issued.text
    link = {"X-Link-Token": issued.json()["token"]}

    opened = await care.post(
        "/v1/resident/help-requests", json={"type": "medicine", "needs": "胰岛素", "urgent": True}, headers=link
    )
    someone_elses = await open_request(care, secrets)

    assert opened.status_code == 201, opened.text
    assert (opened.json()["priority"], opened.json()["status"]) == ("urgent", "open")
    seen = await care.get(f"/v1/requests/{opened.json()['id']}", headers=coordinator(secrets))
    assert (seen.json()["source"], seen.json()["person_id"]) == ("resident", "p-1")
    assert seen.json()["contact"]["phone"] == "139****0002"  # the member's own contact, for the helper
    own = await care.get(f"/v1/resident/help-requests/{opened.json()['id']}", headers=link)
    assert own.status_code == 200
    assert "contact" not in own.json()
    other = await care.get(f"/v1/resident/help-requests/{someone_elses['id']}", headers=link)
    assert other.status_code == 404
    mine = await care.get("/v1/resident/help-requests", headers=link)
    assert mine.status_code == 200, mine.text
    assert [(r["id"], r["status"]) for r in mine.json()] == [(opened.json()["id"], "open")], "only their own"

    clock.advance(timedelta(days=31))
    expired = await care.post("/v1/resident/help-requests", json={"type": "shopping", "needs": "米"}, headers=link)
    assert expired.status_code == 410


async def test_a_forged_or_missing_link_opens_nothing(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care = platform.client("care")
    body = {"type": "shopping", "needs": "米"}

    forged = await care.post("/v1/resident/help-requests", json=body, headers={"X-Link-Token": "e30." * 5 + "x"})
    missing = await care.post("/v1/resident/help-requests", json=body)

    assert forged.status_code == 401
    assert missing.status_code == 422
    assert not await platform.sandbox.database("care")["requests"].count_documents({})
