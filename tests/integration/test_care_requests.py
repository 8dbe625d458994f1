"""A request's way from opened to fulfilled or cancelled, with its history, events and the helper's load."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gridline.testing import Secrets, eventually

from tests.conftest import Platform
from tests.integration.care_world import (
    clock_at,
    coordinator,
    elderly_registered,
    events_of,
    handled,
    helper_body,
    member_facts,
    open_request,
    register_helper,
    retried,
    volunteer,
)
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY

pytestmark = pytest.mark.integration


async def helper_load(care: httpx.AsyncClient, secrets: Secrets, helper_id: str) -> int:
    response = await care.get(f"/v1/helpers/{helper_id}", headers=coordinator(secrets))
    assert response.status_code == 200, response.text
    load: int = response.json()["load"]
    return load


async def step(
    care: httpx.AsyncClient, request_id: str, action: str, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await care.post(f"/v1/requests/{request_id}/{action}", json=body or None, headers=headers)


async def test_a_request_goes_assigned_acknowledged_in_progress_fulfilled_with_its_history_and_events(
    platform: Platform,
) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    helper = await register_helper(care, secrets, helper_body("张志愿", skills=["medicine"], account="vol-zhang"))
    request = await open_request(care, secrets, contact={"name": "李秀英", "phone": "13905710002"})
    assert request["contact"] == {"name": "李*英", "phone": "139****0002", "address": None}
    own = volunteer(secrets, "vol-zhang")

    assigned = await step(care, request["id"], "assign", coordinator(secrets), helper_id=helper["id"])
    assert assigned.status_code == 200, assigned.text
    assert await helper_load(care, secrets, helper["id"]) == 1
    assert (await step(care, request["id"], "acknowledge", own)).json()["status"] == "acknowledged"
    assert (await step(care, request["id"], "start", own)).json()["status"] == "in_progress"
    done = await step(care, request["id"], "fulfil", own, completeness="partial", note="缺一盒，明天补")

    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["completeness"]) == ("fulfilled", "partial")
    assert [h["action"] for h in done.json()["history"]] == ["opened", "assign", "acknowledge", "start", "fulfil"]
    assert done.json()["history"][-1]["by"] == "vol-zhang"
    assert await helper_load(care, secrets, helper["id"]) == 0
    published = await events_of(platform.sandbox, "care.request.v1", at_least=5)
    assert [e.type.split(".")[3] for e in published] == ["opened", "assigned", "acknowledged", "started", "fulfilled"]
    assert all(b"13905710002" not in str(e.data).encode() for e in published)
    assert published[-1].data["completeness"] == "partial"


async def test_steps_out_of_order_conflict_and_repeating_a_done_step_returns_the_request(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    helper = await register_helper(care, secrets, helper_body("王", skills=["medicine"], account="vol-wang"))
    request = await open_request(care, secrets)

    early = await step(care, request["id"], "acknowledge", coordinator(secrets))
    await step(care, request["id"], "assign", coordinator(secrets), helper_id=helper["id"])
    first = await step(care, request["id"], "acknowledge", volunteer(secrets, "vol-wang"))
    again = await step(care, request["id"], "acknowledge", volunteer(secrets, "vol-wang"))
    cancelled = await step(care, request["id"], "cancel", coordinator(secrets), reason="家属已代购")
    late = await step(care, request["id"], "start", volunteer(secrets, "vol-wang"))

    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert again.json()["version"] == first.json()["version"]
    assert cancelled.json()["status"] == "cancelled"
    assert late.status_code == 409  # cancelled: no step leads on from there
    assert await helper_load(care, secrets, helper["id"]) == 0


async def test_reassigning_moves_the_load_and_never_to_a_helper_outside_the_community(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    first = await register_helper(care, secrets, helper_body("甲", skills=["medicine"]))
    second = await register_helper(care, secrets, helper_body("乙", skills=["shopping"]))
    outsider = await register_helper(
        care, secrets, helper_body("丙", skills=["medicine"], communities=[OTHER_COMMUNITY])
    )
    request = await open_request(care, secrets)

    await step(care, request["id"], "assign", coordinator(secrets), helper_id=first["id"])
    moved = await step(care, request["id"], "assign", coordinator(secrets), helper_id=second["id"])
    refused = await step(care, request["id"], "assign", coordinator(secrets), helper_id=outsider["id"])
    unknown = await step(care, request["id"], "assign", coordinator(secrets), helper_id="nobody")

    assert moved.json()["assignee"]["helper_id"] == second["id"]
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["path"] == "helper_id"
    assert unknown.status_code == 422
    assert (await helper_load(care, secrets, first["id"]), await helper_load(care, secrets, second["id"])) == (0, 1)


async def test_bad_input_is_a_problem_never_a_server_error(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    cases = [
        {"type": "teleport", "needs": "x", "community_code": COMMUNITY},
        {"type": "medicine", "needs": "", "community_code": COMMUNITY},
        {"type": "medicine", "needs": "药"},
        {"type": "medicine", "needs": "药", "community_code": COMMUNITY, "contact": {"phone": "12345"}},
        {"type": "medicine", "needs": "药", "community_code": COMMUNITY, "surprise": 1},
        {"type": "medicine", "needs": "药", "community_code": "1234"},
        {"type": "medicine", "needs": "药", "community_code": COMMUNITY, "needed_by": "2026-03-02T18:00:00"},
    ]
    for body in cases:
        response = await care.post("/v1/requests", json=body, headers=coordinator(secrets))
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"]
    outside = {"type": "medicine", "needs": "药", "community_code": OTHER_COMMUNITY}
    assert (await care.post("/v1/requests", json=outside, headers=coordinator(secrets))).status_code == 404
    helper_only = await care.post("/v1/requests", json=cases[0], headers=volunteer(secrets, "v"))
    assert helper_only.status_code == 403
    no_token = await care.get("/v1/requests")
    assert no_token.status_code == 401


async def test_a_retried_open_with_the_same_idempotency_key_creates_one_request(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    body = {"community_code": COMMUNITY, "type": "shopping", "needs": "米一袋", "priority": "normal"}
    headers = {**coordinator(secrets), "Idempotency-Key": "phone-retry-0001"}

    first = await care.post("/v1/requests", json=body, headers=headers)
    second = await care.post("/v1/requests", json=body, headers=headers)
    other = await care.post("/v1/requests", json={**body, "needs": "油一桶"}, headers=headers)

    assert (first.status_code, second.status_code, other.status_code) == (201, 201, 409)
    assert first.json()["id"] == second.json()["id"]
    listed = await care.get("/v1/requests", headers=coordinator(secrets))
    assert len(listed.json()["items"]) == 1


async def test_a_member_request_lands_where_the_member_lives_with_the_members_contact(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    await member_facts(platform.sandbox, "p-1", elderly_registered("p-1"))
    await handled(platform, "members", 1)
    contact = {"name": "李秀英", "phone": "13905710002"}
    await retried(lambda: care.put("/v1/members/p-1/contact", json=contact, headers=coordinator(secrets)))

    response = await care.post(
        "/v1/requests", json={"person_id": "p-1", "type": "escort", "needs": "复诊陪同"}, headers=coordinator(secrets)
    )

    assert response.status_code == 201, response.text
    assert (response.json()["community_code"], response.json()["grid_id"]) == (COMMUNITY, "grid-1")
    assert response.json()["contact"]["phone"] == "139****0002"


async def test_the_load_is_made_good_from_the_request_events_after_a_crash_between_the_two_writes(
    platform: Platform,
) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    helper = await register_helper(care, secrets, helper_body("赵", skills=["medicine"]))
    request = await open_request(care, secrets)
    await step(care, request["id"], "assign", coordinator(secrets), helper_id=helper["id"])
    helpers = platform.sandbox.database("care")["helpers"]
    # As if the process had died after the request's write and before the load's.
    await helpers.update_one({"_id": helper["id"]}, {"$set": {"open_requests": [], "load": 0}})
    assigned = (await events_of(platform.sandbox, "care.request.v1", at_least=2))[1]
    record_key, value, headers = assigned.to_record()
    await platform.sandbox.publish_raw("care.request.v1", value=value, key=record_key, headers=headers)

    async def made_good() -> None:
        assert await helper_load(care, secrets, helper["id"]) == 1

    await eventually(made_good)
    await handled(platform, "helper-load", 2)
    assert await helper_load(care, secrets, helper["id"]) == 1  # the assignment, delivered twice, counts once


async def test_a_closing_event_delivered_again_releases_the_helper_once(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    helper = await register_helper(care, secrets, helper_body("钱", skills=["medicine"]))
    done = await open_request(care, secrets)
    still_open = await open_request(care, secrets)
    for request in (done, still_open):
        await step(care, request["id"], "assign", coordinator(secrets), helper_id=helper["id"])
    await step(care, done["id"], "fulfil", coordinator(secrets))
    published = await events_of(platform.sandbox, "care.request.v1", at_least=5)
    fulfilled = next(e for e in published if e.type.endswith("fulfilled.v1"))
    record_key, value, headers = fulfilled.to_record()

    await platform.sandbox.publish_raw("care.request.v1", value=value, key=record_key, headers=headers)
    await handled(platform, "helper-load", 4)  # two assignments, the fulfilment, and its repeat

    assert await helper_load(care, secrets, helper["id"]) == 1  # only the open one counts
