"""Dispatch texts the helper a request is assigned to (what to do, the address masked, by when) through the
SMS vendor's emulator over HTTP, and gives an urgent request its helper did not acknowledge in time to the
next best helper, who is texted in turn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from gridline.devstack.emulators.config import local_codes
from gridline.devstack.emulators.running import Emulator, emulator
from gridline.testing import Secrets, eventually

from tests.conftest import Platform
from tests.integration.care_world import clock_at, coordinator, helper_body, open_request, register_helper, volunteer

pytestmark = pytest.mark.integration

CODES = {
    vendor: {**codes, "care_assigned": code}
    for (vendor, codes), code in zip(local_codes().items(), ("SMS_1888888", "2888888"), strict=True)
}
ADDRESS = "杭州市西湖区曙光路12号3幢201室"


@pytest.fixture(scope="module")
def vendors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    templates = {"care_assigned": {"text": "x", "params": ["who", "what", "address", "by"]}}
    extra = {"SMS_TEMPLATE_CODES": json.dumps(CODES), "NOTIFY_TEMPLATES": json.dumps(templates)}
    with emulator(tmp_path_factory.mktemp("emulators"), extra=extra) as running:
        yield running


def through(vendors: Emulator) -> dict[str, Any]:
    values: dict[str, Any] = {k.lower(): v for k, v in vendors.settings.items() if k != "NOTIFY_TEMPLATES"}
    values["sms_template_codes"] = json.loads(values["sms_template_codes"])
    return {**values, "sms_sender": "aliyun"}


async def texts_to(vendors: Emulator, phone: str, count: int = 1) -> list[dict[str, Any]]:
    async def arrived() -> list[dict[str, Any]]:
        found = vendors.received("aliyun", phone=phone)
        assert len(found) == count, found
        return found

    return await eventually(arrived)


async def assignee_of(care: httpx.AsyncClient, secrets: Secrets, request_id: str, helper_id: str) -> dict[str, Any]:
    async def moved() -> dict[str, Any]:
        found: dict[str, Any] = (await care.get(f"/v1/requests/{request_id}", headers=coordinator(secrets))).json()
        assert (found["assignee"] or {}).get("helper_id") == helper_id, found
        return found

    return await eventually(moved)


async def test_the_assigned_helper_is_texted_and_an_unacknowledged_urgent_request_goes_to_the_next_helper(
    platform: Platform, vendors: Emulator
) -> None:
    clock = clock_at()  # Monday 10:00 in Shanghai; an urgent medicine request is to be acknowledged in 30 minutes
    await platform.start("care", clock=clock, **through(vendors))
    care, secrets = platform.client("care"), platform.sandbox.secrets
    first = await register_helper(
        care, secrets, helper_body("张志愿", skills=["medicine"], account="vol-zhang", phone="13905720001")
    )
    second = await register_helper(
        care, secrets, helper_body("王志愿", skills=["medicine"], account="vol-wang", phone="13905720002")
    )
    contact = {"name": "李秀英", "phone": "13905710002", "address": ADDRESS}
    request = await open_request(care, secrets, contact=contact)
    assigned = await care.post(
        f"/v1/requests/{request['id']}/assign", json={"helper_id": first["id"]}, headers=coordinator(secrets)
    )
    assert assigned.status_code == 200, assigned.text

    [to_first] = await texts_to(vendors, "13905720001")
    clock.advance(timedelta(minutes=29))
    early = (await care.get(f"/v1/requests/{request['id']}", headers=coordinator(secrets))).json()
    clock.advance(timedelta(minutes=1))  # the deadline: nobody acknowledged
    moved = await assignee_of(care, secrets, request["id"], second["id"])
    [to_second] = await texts_to(vendors, "13905720002")
    acknowledged = await care.post(
        f"/v1/requests/{request['id']}/acknowledge", json={}, headers=volunteer(secrets, "vol-wang")
    )
    clock.advance(timedelta(hours=2))
    later = await assignee_of(care, secrets, request["id"], second["id"])

    assert to_first["template_code"] == CODES["aliyun"]["care_assigned"]
    assert to_first["params"]["who"] == "张志愿"
    assert to_first["params"]["what"] == "紧急·代购药品（降压药两盒）"
    assert to_first["params"]["by"] == "03月02日10:30"
    assert to_first["params"]["address"] == "杭州市西湖区****"  # the district, never the door
    assert "13905710002" not in json.dumps(to_first)  # the resident's phone is not in the text
    assert early["assignee"]["helper_id"] == first["id"]
    assert [h["by"] for h in moved["history"] if h["action"] == "assign"][-1] == "care-redispatch"
    assert to_second["params"]["who"] == "王志愿"
    assert acknowledged.status_code == 200, acknowledged.text
    assert later["status"] == "acknowledged"
    assert len(vendors.received("aliyun", phone="13905720001")) == 1
    assert len(vendors.received("aliyun", phone="13905720002")) == 1
