"""One-time codes to a phone: hashed at rest, expiring, limited in attempts and resends, used once.

One code document per phone (keyed by the phone's keyed hash): a new code replaces the old one, at most
once per `booking_code_resend_seconds`. Using a code is a write guarded by its hash and `used: false`, so
two requests racing with the same code cannot both book. The text is a `gridline.notify` message keyed by
the code's hash: sent once by the sender job, whatever the retries, and counted against the phone's day.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from gridline import notify
from gridline.clock import Clock
from gridline.errors import DomainError, Invalid
from gridline.mongo import Database, DuplicateKeyError, update_guarded
from gridline.pii import Protector

from duty.settings import DutySettings

COLLECTION = "booking_codes"
PHONE_CONTEXT = "booking.phone"
CODE_CONTEXT = "booking.code"
_WRONG = "验证码错误或已失效，请重新获取"


class TooSoon(DomainError):
    """A code was sent to this phone moments ago; the view answers 429 with `Retry-After`."""

    status = 429
    type = "/problems/too-many-requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def phone_key(protector: Protector, phone: str) -> str:
    return protector.keyed_hash(phone, context=PHONE_CONTEXT)


async def send(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    settings: DutySettings,
    phone: str,
    community_code: str,
    wake: Callable[[], None] | None = None,
) -> None:
    """Store a fresh code for the phone (replacing any earlier one) and queue its text."""
    key, now = phone_key(protector, phone), clock.now()
    code = f"{secrets.randbelow(10**6):06d}"
    fields = {
        "code_hash": protector.keyed_hash(f"{phone}|{code}", context=CODE_CONTEXT),
        "expires_at": now + timedelta(seconds=settings.booking_code_ttl_seconds),
        "sent_at": now,
        "attempts": 0,
        "used": False,
    }
    current = await db[COLLECTION].find_one({"_id": key})
    if current is None:
        try:
            await db[COLLECTION].insert_one({"_id": key, **fields})
        except DuplicateKeyError as exc:
            raise _too_soon(settings.booking_code_resend_seconds) from exc
    else:
        if current["sent_at"] + timedelta(seconds=settings.booking_code_resend_seconds) > now:
            raise _too_soon(settings.booking_code_resend_seconds)
        if not await update_guarded(db[COLLECTION], key, {"sent_at": current["sent_at"]}, {"$set": fields}):
            raise _too_soon(settings.booking_code_resend_seconds)
    await notify.queue(
        db,
        clock=clock,
        protector=protector,
        settings=settings,
        key=f"booking_code:{fields['code_hash']}",
        kind="booking_code",
        recipient=notify.Phone(phone),
        params={"code": code, "minutes": str(settings.booking_code_ttl_seconds // 60)},
        community_code=community_code,
        wake=wake,
    )


async def use(
    *, db: Database, clock: Clock, protector: Protector, settings: DutySettings, phone: str, code: str
) -> str:
    """Spend the phone's code; its hash (to give it back with `restore`), or 422 when it is wrong or spent."""
    key = phone_key(protector, phone)
    stored = await db[COLLECTION].find_one({"_id": key})
    if stored is None or stored["used"] or stored["expires_at"] <= clock.now():
        raise Invalid("code", _WRONG)
    if stored["attempts"] >= settings.booking_code_max_attempts:
        raise Invalid("code", _WRONG)
    given = protector.keyed_hash(f"{phone}|{code}", context=CODE_CONTEXT)
    if not secrets.compare_digest(given, stored["code_hash"]):
        # Counted against this code only: a new code starts afresh.
        await update_guarded(db[COLLECTION], key, {"code_hash": stored["code_hash"]}, {"$inc": {"attempts": 1}})
        raise Invalid("code", _WRONG)
    if not await update_guarded(db[COLLECTION], key, {"code_hash": given, "used": False}, {"$set": {"used": True}}):
        raise Invalid("code", _WRONG)
    return given


async def restore(*, db: Database, protector: Protector, phone: str, code_hash: str) -> None:
    """Give a spent code back when the booking it paid for did not happen (the slot was full)."""
    key = phone_key(protector, phone)
    await update_guarded(db[COLLECTION], key, {"code_hash": code_hash, "used": True}, {"$set": {"used": False}})


def _too_soon(seconds: int) -> TooSoon:
    return TooSoon(f"验证码已发送，请 {seconds} 秒后再试", retry_after=seconds)
