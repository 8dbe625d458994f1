"""Sending one-time codes: a small `SmsSender` protocol, and the development sink that tests and local users read.

The sink (`sms_sink` collection) keeps the message text, with the phone masked and as a keyed hash, so a
developer finds the code sent to a number without the number being stored. It is refused in production,
where a gateway implementing `SmsSender` plugs in (see `sender_for`).
"""

from __future__ import annotations

from typing import Protocol

from gridline.clock import Clock
from gridline.mongo import Database, Index
from gridline.pii import Protector, mask_phone

SINK = "sms_sink"
INDEXES = [Index(SINK, (("phone_hash", 1), ("_id", 1)))]
HASH_CONTEXT = "sms.phone"


class SmsUnavailable(Exception):
    """No way to send texts is configured."""


class SmsSender(Protocol):
    async def send(self, *, phone: str, text: str) -> None: ...


class StoredSms:
    """Development and test sink: texts kept in the database, looked up by the phone's keyed hash."""

    def __init__(self, *, db: Database, protector: Protector, clock: Clock) -> None:
        self._db, self._protector, self._clock = db, protector, clock

    async def send(self, *, phone: str, text: str) -> None:
        await self._db[SINK].insert_one(
            {
                "phone_hash": self._protector.keyed_hash(phone, context=HASH_CONTEXT),
                "phone_masked": mask_phone(phone),
                "text": text,
                "sent_at": self._clock.now(),
            }
        )


class DisabledSms:
    async def send(self, *, phone: str, text: str) -> None:
        raise SmsUnavailable("no SMS gateway is configured")


def sender_for(name: str, *, db: Database, protector: Protector, clock: Clock) -> SmsSender:
    return StoredSms(db=db, protector=protector, clock=clock) if name == "store" else DisabledSms()
