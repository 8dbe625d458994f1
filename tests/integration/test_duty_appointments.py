"""Appointments: slots with a cap, booked without an account by phone and one-time code, never overbooked."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from gridline.clock import FixedClock
from gridline.testing import eventually

from tests.conftest import Platform
from tests.services.duty.support import COMMUNITY, admin, clock_at

pytestmark = pytest.mark.integration

PHONE = "13905710001"


async def open_slots(duty: httpx.AsyncClient, headers: dict[str, str], *, capacity: int = 10) -> list[dict[str, Any]]:
    response = await duty.post(
        "/v1/slots",
        json={
            "community_code": COMMUNITY,
            "service": "开具居住证明",
            "day": "2021-01-13",
            "first_start": "09:00",
            "last_end": "10:00",
            "minutes": 30,
            "capacity": capacity,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    slots: list[dict[str, Any]] = response.json()
    return slots


async def code_for(platform: Platform, phone: str) -> str:
    """The code the development SMS sink holds for a phone (found by the phone's keyed hash), once the sender
    job has texted it."""
    duty = platform.client("duty")
    phone_hash = platform.runtime("duty").protector.keyed_hash(phone, context="sms.phone")
    sink = platform.sandbox.database("duty")["sms_sink"]
    before = await sink.count_documents({"phone_hash": phone_hash})
    sent = await duty.post("/v1/public/booking-codes", json={"phone": phone})
    assert sent.status_code == 202, sent.text

    async def texted() -> dict[str, Any]:
        assert await sink.count_documents({"phone_hash": phone_hash}) == before + 1
        latest = await sink.find_one({"phone_hash": phone_hash}, sort=[("sent_at", -1), ("_id", -1)])
        assert latest is not None
        return latest

    latest = await eventually(texted, timeout=20, interval=0.05)
    match = re.search(r"\d{6}", latest["text"])
    assert match is not None
    return match.group()


async def book(duty: httpx.AsyncClient, slot_id: str, phone: str, code: str) -> httpx.Response:
    return await duty.post(f"/v1/public/slots/{slot_id}/bookings", json={"phone": phone, "code": code})


async def test_fifty_concurrent_bookings_for_a_slot_of_ten_give_exactly_ten(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at(), booking_limit_per_address="1000/minute")
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    [slot, _] = await open_slots(duty, admin(secrets))
    phones = [f"1390571{n:04d}" for n in range(50)]
    codes = [await code_for(platform, phone) for phone in phones]

    answers = await asyncio.gather(*(book(duty, slot["id"], p, c) for p, c in zip(phones, codes, strict=True)))

    statuses = sorted(a.status_code for a in answers)
    stored = await platform.sandbox.database("duty")["slots"].find_one({"_id": slot["id"]})
    listed = await duty.get("/v1/public/slots", params={"community_code": COMMUNITY, "day": "2021-01-13"})
    assert statuses == [201] * 10 + [409] * 40
    assert stored is not None
    assert (stored["booked"], len(stored["bookings"]), len(stored["phones"])) == (10, 10, 10)
    assert [(s["booked"], s["available"]) for s in listed.json()["items"]] == [(10, 0), (0, 10)]
    # Those turned away keep their code for another slot.
    loser = next(p for p, a in zip(phones, answers, strict=True) if a.status_code == 409)
    loser_code = codes[phones.index(loser)]
    assert (await book(duty, listed.json()["items"][1]["id"], loser, loser_code)).status_code == 201


async def test_a_code_is_used_once_kept_hashed_and_dies_after_too_many_wrong_tries_or_when_it_expires(
    platform: Platform,
) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock, booking_limit_per_phone="100/minute")
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    first, second = await open_slots(duty, admin(secrets))

    code = await code_for(platform, PHONE)
    stored = await platform.sandbox.database("duty")["booking_codes"].find_one({})
    booked = await book(duty, first["id"], PHONE, code)
    reused = await book(duty, second["id"], PHONE, code)

    clock.advance(timedelta(minutes=2))
    other = "13905710002"
    fresh = await code_for(platform, other)
    wrong = [await book(duty, second["id"], other, f"{(int(fresh) + n) % 10**6:06d}") for n in range(1, 6)]
    after_too_many = await book(duty, second["id"], other, fresh)

    clock.advance(timedelta(minutes=2))
    third = "13905710003"
    late = await code_for(platform, third)
    clock.advance(timedelta(minutes=6))
    expired = await book(duty, second["id"], third, late)

    assert booked.status_code == 201, booked.text
    assert booked.json()["phone"] == "139****0001"
    assert reused.status_code == 422
    assert [w.status_code for w in wrong] == [422] * 5
    assert after_too_many.status_code == 422
    assert expired.status_code == 422
    assert stored is not None
    assert code not in str(stored)
    assert PHONE not in str(stored)
    sink = [d async for d in platform.sandbox.database("duty")["sms_sink"].find({})]
    assert all(PHONE not in str(d) for d in sink)
    assert sink[0]["phone_masked"] == "139****0001"


async def test_codes_are_limited_per_phone_and_per_address(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock, booking_limit_per_phone="3/minute", booking_limit_per_address="5/minute")
    duty = platform.client("duty")

    first = await duty.post("/v1/public/booking-codes", json={"phone": PHONE})
    too_soon = await duty.post("/v1/public/booking-codes", json={"phone": PHONE})
    clock.advance(timedelta(seconds=61))
    resent = await duty.post("/v1/public/booking-codes", json={"phone": PHONE})
    past_phone_limit = await duty.post("/v1/public/booking-codes", json={"phone": PHONE})
    others = [await duty.post("/v1/public/booking-codes", json={"phone": f"1370571000{n}"}) for n in range(3)]

    assert [first.status_code, too_soon.status_code, resent.status_code] == [202, 429, 202]
    assert too_soon.headers["Retry-After"] == "60"
    assert past_phone_limit.status_code == 429
    # The address's fifth request is the second of the others: a request the phone's limit refused did not
    # spend its address's allowance, which neighbours behind the same address share.
    assert [o.status_code for o in others] == [202, 202, 429]
    assert int(others[-1].headers["Retry-After"]) >= 1


async def test_a_booking_is_cancelled_with_its_cancel_code_and_frees_its_place(platform: Platform) -> None:
    await platform.start("duty", clock=clock_at())
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    [slot, _] = await open_slots(duty, admin(secrets), capacity=1)
    booked = (await book(duty, slot["id"], PHONE, await code_for(platform, PHONE))).json()
    url = f"/v1/public/slots/{slot['id']}/bookings/{booked['booking_id']}/cancel"

    wrong = await duty.post(url, json={"cancel_code": "not-the-code"})
    cancelled = await duty.post(url, json={"cancel_code": booked["cancel_code"]})
    again = await duty.post(url, json={"cancel_code": booked["cancel_code"]})
    someone_else = await book(duty, slot["id"], "13905710002", await code_for(platform, "13905710002"))
    staff_view = await duty.get(f"/v1/slots/{slot['id']}/bookings", headers=admin(secrets))

    assert (wrong.status_code, cancelled.status_code, again.status_code) == (422, 200, 409)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_code"] is None
    assert someone_else.status_code == 201
    assert sorted((b["phone"], b["status"]) for b in staff_view.json()) == [
        ("139****0001", "cancelled"),
        ("139****0002", "booked"),
    ]


async def test_a_slot_that_has_started_cannot_be_booked_and_bad_input_is_a_4xx(platform: Platform) -> None:
    clock = clock_at()
    await platform.start("duty", clock=clock)
    duty, secrets = platform.client("duty"), platform.sandbox.secrets
    [slot, _] = await open_slots(duty, admin(secrets))
    code = await code_for(platform, PHONE)
    clock.advance(timedelta(days=1))  # 13 January 10:00: every slot of the morning has started
    assert isinstance(clock, FixedClock)

    started = await book(duty, slot["id"], PHONE, code)
    unknown = await book(duty, "no-such-slot", PHONE, code)
    bad_phone = await duty.post("/v1/public/booking-codes", json={"phone": "12345"})
    empty_span = await duty.post(
        "/v1/slots",
        json={
            "community_code": COMMUNITY,
            "service": "x",
            "day": "2021-01-13",
            "first_start": "09:00",
            "last_end": "09:10",
            "minutes": 30,
            "capacity": 1,
        },
        headers=admin(secrets),
    )

    assert [r.status_code for r in (started, unknown, bad_phone, empty_span)] == [409, 404, 422, 422]
