"""A text care sends a helper that fails for good raises the desk's alert: care announces it on Kafka (no phone
in the event), and duty opens the same 通知未送达 incident its own undelivered messages open."""

from __future__ import annotations

import json
from typing import Any

import pytest
from care.dispatch import undelivered
from care.requests import events
from gridline import notify
from gridline.devstack.emulators.running import Emulator
from gridline.jobs import JobContext
from gridline.testing import eventually

from tests.conftest import Platform
from tests.integration.care_world import coordinator, helper_body, open_request, register_helper
from tests.integration.people import COMMUNITY

pytestmark = pytest.mark.integration

HELPER_PHONE = "13905720001"
RESIDENT_PHONE = "13905710002"


def through(vendors: Emulator) -> dict[str, Any]:
    """Care's settings for texting through the emulators' Aliyun, retrying quickly."""
    values: dict[str, Any] = {key.lower(): value for key, value in vendors.settings.items()}
    values["sms_template_codes"] = json.loads(values["sms_template_codes"])
    return {**values, "sms_sender": "aliyun", "notify_retry_seconds": 0.2, "notify_max_attempts": 3}


async def test_a_helper_text_that_fails_for_good_opens_the_desk_s_undelivered_incident(
    platform: Platform, vendor_emulators: Emulator
) -> None:
    await platform.start("care", **through(vendor_emulators))
    await platform.start("duty")
    care, duty, secrets = platform.client("care"), platform.client("duty"), platform.sandbox.secrets
    vendor_emulators.behave("aliyun", fail=-1)  # its flow control, on every request
    helper = await register_helper(
        care, secrets, helper_body("张志愿", skills=["medicine"], account="vol-zhang", phone=HELPER_PHONE)
    )
    contact = {"name": "李秀英", "phone": RESIDENT_PHONE, "address": "杭州市西湖区曙光路12号"}
    request = await open_request(care, secrets, contact=contact)

    assigned = await care.post(
        f"/v1/requests/{request['id']}/assign", json={"helper_id": helper["id"]}, headers=coordinator(secrets)
    )

    async def failed() -> dict[str, Any]:
        stored = await platform.sandbox.database("care")[notify.COLLECTION].find_one({"kind": "care_assigned"})
        assert stored is not None
        assert (stored["state"], stored.get("alerted")) == ("failed", True), stored
        return stored

    async def incidents() -> list[dict[str, Any]]:
        answer = await duty.get(
            "/v1/incidents",
            params={"community_code": COMMUNITY},
            headers=secrets.headers("duty_officer", jurisdiction=COMMUNITY),
        )
        assert answer.status_code == 200, answer.text
        found = [i for i in answer.json()["items"] if i["summary"].startswith("通知未送达")]
        assert found
        return found

    message = await eventually(failed, timeout=30)
    [incident] = await eventually(incidents, timeout=30)
    runtime = platform.runtime("care")
    again = JobContext(db=runtime.database(), clock=runtime.clock, settings=runtime.settings, job={}, holder="test")
    await undelivered.on_failed(again, _failure(message))  # told again, as after a crash before it was marked
    await platform.drain()
    records = [
        r
        for r in await platform.sandbox.read_topic("care.request.v1", at_least=3)
        if r.header("ce_type") == events.HELPER_NOT_NOTIFIED.type
    ]

    assert assigned.status_code == 200, assigned.text
    assert len(vendor_emulators.received("aliyun", phone=HELPER_PHONE)) == 3  # retried, then given up
    assert (message["attempts"], message["error"]) == (3, "aliyun isv.BUSINESS_LIMIT_CONTROL")
    assert incident["summary"].startswith("通知未送达：求助派单短信至 139****0001（aliyun：")
    assert incident["summary"].endswith("，已试 3 次）")
    assert (incident["severity"], incident["status"], incident["community_code"]) == ("high", "open", COMMUNITY)
    [record] = records  # one event for the one text, however often care was told of it
    data = record.event().data
    assert record.key == request["id"].encode()
    assert (data["request_id"], data["helper_id"], data["community_code"]) == (request["id"], helper["id"], COMMUNITY)
    assert (data["kind"], data["recipient"], data["attempts"]) == ("care_assigned", "139****0001", 3)
    assert data["error"] == "aliyun isv.BUSINESS_LIMIT_CONTROL"
    on_the_wire = (record.value or b"") + b"".join(value for _, value in record.headers)
    for phone in (HELPER_PHONE, RESIDENT_PHONE):
        assert phone.encode() not in on_the_wire


def _failure(message: dict[str, Any]) -> notify.Failure:
    return notify.Failure(
        key=message["_id"],
        kind=message["kind"],
        channel=notify.Channel(message["channel"]),
        vendor=message["vendor"],
        community_code=message["community_code"],
        recipient=message["recipient"],
        error=message["error"],
        attempts=message["attempts"],
    )
