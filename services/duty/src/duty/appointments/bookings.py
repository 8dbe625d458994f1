"""Booking and cancelling: each one write to the slot, guarded so that no slot is ever overbooked.

The booking write filters on `booked < capacity` and on this phone having no booking in the slot, and in the
same single-document update increments `booked` and stores the booking: the database applies it atomically
(MongoDB per document; the local FerretDB build holds the collection from its read to its write), so of any
number of concurrent requests, from any number of replicas, exactly `capacity` succeed.
"""

from __future__ import annotations

import secrets
from typing import Any

from gridline.clock import Clock
from gridline.errors import Conflict, Invalid, NotFound
from gridline.mongo import Database
from gridline.pii import Protector, mask_phone

from duty.appointments import codes, slots
from duty.appointments.models import BookingRead

CANCEL_CONTEXT = "booking.cancel"


async def book(
    *, db: Database, clock: Clock, protector: Protector, slot_id: str, phone: str, code_hash: str
) -> BookingRead:
    """Book the slot for a phone whose code was just spent; the code is given back if the slot is full."""
    slot = await bookable(db=db, clock=clock, slot_id=slot_id)
    phone_key = codes.phone_key(protector, phone)
    booking_id, cancel_code = secrets.token_hex(8), secrets.token_urlsafe(12)
    booking = {
        "phone_masked": mask_phone(phone),
        "phone": protector.seal(phone, context="booking.phone"),
        "phone_hash": phone_key,
        "cancel_hash": protector.keyed_hash(cancel_code, context=CANCEL_CONTEXT),
        "status": "booked",
        "booked_at": clock.now(),
    }
    coll = db[slots.COLLECTION]
    result = await coll.update_one(
        {"_id": slot_id, "booked": {"$lt": slot["capacity"]}, f"phones.{phone_key}": {"$exists": False}},
        {"$inc": {"booked": 1}, "$set": {f"bookings.{booking_id}": booking, f"phones.{phone_key}": booking_id}},
    )
    if result.matched_count == 0:
        await codes.restore(db=db, protector=protector, phone=phone, code_hash=code_hash)
        again = await slots.find(db=db, slot=slot_id)
        if phone_key in again.get("phones", {}):
            raise Conflict("此手机号已预约该时段", booking_id=again["phones"][phone_key])
        raise Conflict("该时段已约满，请选择其他时段")
    return _read(slot, booking_id, booking, cancel_code)


async def bookable(*, db: Database, clock: Clock, slot_id: str) -> dict[str, Any]:
    """The slot, if it can still be booked; checked before a code is spent on it."""
    slot = await slots.find(db=db, slot=slot_id)
    if slot["starts_at"] <= clock.now():
        raise Conflict("该时段已开始，不能预约")
    return slot


async def cancel(
    *, db: Database, clock: Clock, protector: Protector, slot_id: str, booking_id: str, cancel_code: str
) -> BookingRead:
    slot = await slots.find(db=db, slot=slot_id)
    booking = slot.get("bookings", {}).get(booking_id)
    if booking is None:
        raise NotFound("booking")
    if not secrets.compare_digest(protector.keyed_hash(cancel_code, context=CANCEL_CONTEXT), booking["cancel_hash"]):
        raise Invalid("cancel_code", "取消码不正确")
    coll = db[slots.COLLECTION]
    result = await coll.update_one(
        {"_id": slot_id, f"bookings.{booking_id}.status": "booked"},
        {
            "$inc": {"booked": -1},
            "$set": {
                f"bookings.{booking_id}.status": "cancelled",
                f"bookings.{booking_id}.cancelled_at": clock.now(),
            },
            "$unset": {f"phones.{booking['phone_hash']}": ""},
        },
    )
    if result.matched_count == 0:
        raise Conflict("该预约已取消")
    return _read(slot, booking_id, {**booking, "status": "cancelled"}, None)


def _read(slot: dict[str, Any], booking_id: str, booking: dict[str, Any], cancel_code: str | None) -> BookingRead:
    return BookingRead(
        booking_id=booking_id,
        slot_id=slot["_id"],
        service=slot["service"],
        starts_at=slot["starts_at"],
        ends_at=slot["ends_at"],
        phone=booking["phone_masked"],
        status=booking["status"],
        cancel_code=cancel_code,
    )


def bookings_of(slot: dict[str, Any]) -> list[BookingRead]:
    """A slot's bookings for staff, phones masked."""
    return [_read(slot, booking_id, booking, None) for booking_id, booking in sorted(slot.get("bookings", {}).items())]
