"""A helper sees only the requests assigned to them; the resident's phone only for an assigned, open one, audited."""

from __future__ import annotations

import pytest

from tests.conftest import Platform
from tests.integration.care_world import (
    clock_at,
    community_admin,
    coordinator,
    helper_body,
    open_request,
    register_helper,
    volunteer,
)
from tests.integration.people import COMMUNITY, OTHER_COMMUNITY

pytestmark = pytest.mark.integration
REVEAL = {"purpose": "contact", "detail": "上门前电话确认"}


async def test_a_helper_sees_only_their_own_requests_and_the_phone_only_while_assigned_and_open(
    platform: Platform,
) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    mine = await register_helper(care, secrets, helper_body("甲", skills=["medicine"], account="vol-a"))
    theirs = await register_helper(care, secrets, helper_body("乙", skills=["medicine"], account="vol-b"))
    contact = {"name": "李秀英", "phone": "13905710002", "address": "北山街道曙光路12号3单元"}
    requests = [await open_request(care, secrets, contact=contact) for _ in range(3)]
    for request, helper in zip(requests, (mine, theirs), strict=False):
        response = await care.post(
            f"/v1/requests/{request['id']}/assign", json={"helper_id": helper["id"]}, headers=coordinator(secrets)
        )
        assert response.status_code == 200, response.text
    me, other = volunteer(secrets, "vol-a"), volunteer(secrets, "vol-b")

    listed = await care.get("/v1/requests", headers=me)
    assert [r["id"] for r in listed.json()["items"]] == [requests[0]["id"]]
    assert listed.json()["items"][0]["contact"]["phone"] == "139****0002"
    assert (await care.get(f"/v1/requests/{requests[1]['id']}", headers=me)).status_code == 404
    assert (await care.get(f"/v1/requests/{requests[2]['id']}", headers=me)).status_code == 404
    everything = await care.get("/v1/requests", headers=coordinator(secrets))
    assert len(everything.json()["items"]) == 3

    revealed = await care.post(f"/v1/requests/{requests[0]['id']}/contact/reveal", json=REVEAL, headers=me)
    assert revealed.status_code == 200, revealed.text
    assert (revealed.json()["phone"], revealed.json()["name"]) == ("13905710002", "李秀英")
    assert revealed.json()["address"] == contact["address"]
    not_theirs = await care.post(f"/v1/requests/{requests[0]['id']}/contact/reveal", json=REVEAL, headers=other)
    assert not_theirs.status_code == 404
    a_worker = await care.post(
        f"/v1/requests/{requests[0]['id']}/contact/reveal", json=REVEAL, headers=coordinator(secrets)
    )
    assert a_worker.status_code == 403
    audit = await care.get(f"/v1/requests/{requests[0]['id']}/audit", headers=community_admin(secrets))
    assert [(a["actor"], a["purpose"], a["fields"]) for a in audit.json()["items"]] == [
        ("vol-a", "contact", ["name", "phone", "address"])
    ]

    done = await care.post(f"/v1/requests/{requests[0]['id']}/fulfil", json={}, headers=me)
    assert done.status_code == 200, done.text
    closed = await care.post(f"/v1/requests/{requests[0]['id']}/contact/reveal", json=REVEAL, headers=me)
    assert closed.status_code == 409
    stored = await platform.sandbox.database("care")["requests"].find_one({"_id": requests[0]["id"]})
    assert "13905710002" not in repr(stored)


async def test_a_helper_keeps_their_own_availability_and_no_one_elses(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    mine = await register_helper(care, secrets, helper_body("甲", skills=["shopping"], account="vol-a"))
    theirs = await register_helper(care, secrets, helper_body("乙", skills=["shopping"], account="vol-b"))
    evenings = {"windows": [{"days": [1, 2, 3, 4, 5], "start": "18:00", "end": "21:00"}]}

    own = await care.put(f"/v1/helpers/{mine['id']}/availability", json=evenings, headers=volunteer(secrets, "vol-a"))
    other = await care.put(
        f"/v1/helpers/{theirs['id']}/availability", json=evenings, headers=volunteer(secrets, "vol-a")
    )
    backwards = {"windows": [{"days": [1], "start": "18:00", "end": "08:00"}]}
    invalid = await care.put(
        f"/v1/helpers/{mine['id']}/availability", json=backwards, headers=volunteer(secrets, "vol-a")
    )

    assert own.status_code == 200, own.text
    assert (own.json()["windows"][0]["start"], own.json()["available_now"]) == ("18:00", False)  # it is 10:00
    assert other.status_code == 404
    assert invalid.status_code == 422
    duplicate = await care.post(
        "/v1/helpers", json=helper_body("甲二", skills=["shopping"], account="vol-a"), headers=community_admin(secrets)
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["existing_helper_id"] == mine["id"]


async def test_helpers_are_listed_inside_the_jurisdiction_and_registered_only_there(platform: Platform) -> None:
    await platform.start("care", clock=clock_at())
    care, secrets = platform.client("care"), platform.sandbox.secrets
    here = await register_helper(care, secrets, helper_body("本社区", skills=["shopping"], phone="13605710011"))
    both = await register_helper(
        care, secrets, helper_body("两社区", skills=["repairs"], communities=[COMMUNITY, OTHER_COMMUNITY])
    )

    mine = await care.get("/v1/helpers", headers=coordinator(secrets))
    theirs = await care.get("/v1/helpers", headers=coordinator(secrets, jurisdiction=OTHER_COMMUNITY))
    elsewhere = await care.post(
        "/v1/helpers",
        json=helper_body("越权", skills=["shopping"], communities=[OTHER_COMMUNITY]),
        headers=community_admin(secrets),
    )

    assert sorted(h["id"] for h in mine.json()["items"]) == sorted([here["id"], both["id"]])
    assert [h["id"] for h in theirs.json()["items"]] == [both["id"]]
    assert next(h for h in mine.json()["items"] if h["id"] == here["id"])["phone"] == "136****0011"
    assert elsewhere.status_code == 404
