"""Each officer's notification policy: the phone texted when paged (encrypted), the channels in order, and
quiet hours during which only urgent incidents are texted (the group robot still has every page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridline.auth import Principal
from gridline.clock import LOCAL_TZ, Clock
from gridline.mongo import Database
from gridline.pii import Protector, mask_phone

from duty.paging.models import PageChannel, PolicyPut, PolicyRead, QuietHours
from duty.timing import parse_hhmm

COLLECTION = "notification_policies"
PHONE_CONTEXT = "paging.phone"
URGENT = frozenset({"high", "critical"})
DEFAULT_CHANNELS = (PageChannel.SMS, PageChannel.ROBOT)


@dataclass(frozen=True)
class Policy:
    subject: str
    phone: str | None
    channels: tuple[PageChannel, ...]
    quiet_hours: QuietHours | None

    def channels_for(self, *, severity: str, at: datetime) -> list[PageChannel]:
        """The channels a page of this severity goes by at `at`: no text in quiet hours unless it is urgent."""
        quiet = self.quiet_hours is not None and _within(self.quiet_hours, at) and severity not in URGENT
        return [c for c in self.channels if not (quiet and c is PageChannel.SMS)]


async def put(*, db: Database, clock: Clock, protector: Protector, principal: Principal, body: PolicyPut) -> PolicyRead:
    fields: dict[str, Any] = {
        "channels": [c.value for c in body.channels],
        "quiet_hours": body.quiet_hours.model_dump() if body.quiet_hours else None,
        "phone": protector.seal(body.phone, context=PHONE_CONTEXT) if body.phone else None,
        "phone_masked": mask_phone(body.phone) if body.phone else None,
        "updated_at": clock.now(),
    }
    await db[COLLECTION].update_one({"_id": principal.subject}, {"$set": fields}, upsert=True)
    return _read({"_id": principal.subject, **fields})


async def get_mine(*, db: Database, principal: Principal) -> PolicyRead:
    stored = await db[COLLECTION].find_one({"_id": principal.subject})
    if stored is None:
        return PolicyRead(
            subject=principal.subject,
            phone_masked=None,
            channels=list(DEFAULT_CHANNELS),
            quiet_hours=None,
            updated_at=None,
        )
    return _read(stored)


async def load(*, db: Database, protector: Protector, subject: str) -> Policy:
    """The stored policy, or the default (every channel; no phone, so no text) for someone who set none."""
    stored = await db[COLLECTION].find_one({"_id": subject})
    if stored is None:
        return Policy(subject, None, DEFAULT_CHANNELS, None)
    phone = protector.open(stored["phone"], context=PHONE_CONTEXT) if stored.get("phone") else None
    quiet = QuietHours(**stored["quiet_hours"]) if stored.get("quiet_hours") else None
    return Policy(subject, phone, tuple(PageChannel(c) for c in stored["channels"]), quiet)


def _within(quiet: QuietHours, at: datetime) -> bool:
    now, starts, ends = at.astimezone(LOCAL_TZ).time(), parse_hhmm(quiet.starts), parse_hhmm(quiet.ends)
    if starts <= ends:
        return starts <= now < ends
    return now >= starts or now < ends  # across midnight


def _read(doc: dict[str, Any]) -> PolicyRead:
    return PolicyRead(
        subject=doc["_id"],
        phone_masked=doc.get("phone_masked"),
        channels=doc["channels"],
        quiet_hours=doc.get("quiet_hours"),
        updated_at=doc.get("updated_at"),
    )
