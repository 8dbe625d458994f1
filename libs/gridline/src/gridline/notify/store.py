"""The message records: queued once per key, with their sender job, under the phone's daily cap.

`queue` writes in an order that a crash anywhere leaves harmless: the cap counts the key (idempotently,
under the phone's keyed hash), then the message is stored, then its first job (idempotent by the key). A
caller that died between the two calls `queue` again with the same key, as a redelivered event or a
retried job does, and that stores the job.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from gridline import jobs
from gridline.clock import LOCAL_TZ, Clock, local_today
from gridline.mongo import ASCENDING, DESCENDING, Database, DuplicateKeyError, Index, read
from gridline.notify.models import (
    Channel,
    DailyCapReached,
    MessageRead,
    NotConfigured,
    Phone,
    Queued,
    Recipient,
    State,
)
from gridline.notify.settings import NotifySettings
from gridline.notify.vendors import sink
from gridline.pii import Protector, mask_phone

COLLECTION = "notify_messages"
CAPS = "notify_daily_caps"
PHONE_CONTEXT = "notify.phone"
PARAMS_CONTEXT = "notify.params"
INDEXES = [
    Index(COLLECTION, (("state", ASCENDING), ("community_code", ASCENDING), ("updated_at", DESCENDING))),
    Index(COLLECTION, (("phone_hash", ASCENDING), ("created_at", DESCENDING))),
    Index(sink.SINK, (("phone_hash", ASCENDING), ("_id", ASCENDING))),
]
JOB_KIND = {Channel.SMS: "notify.sms", Channel.ROBOT: "notify.robot"}
# Texts go out in lanes side by side (the job runner runs one job of a kind at a time), each message in
# the lane its key hashes to, so one slow vendor answer holds up a quarter of the texts, not all of them.
SMS_LANES = 4
RECEIPT_KIND = "notify.receipt"


def lane(channel: Channel, key: str) -> str:
    """The job kind of a message's attempts."""
    if channel is not Channel.SMS:
        return JOB_KIND[channel]
    number = int(hashlib.sha256(key.encode()).hexdigest(), 16) % SMS_LANES
    return JOB_KIND[channel] if number == 0 else f"{JOB_KIND[channel]}.{number}"


def lanes() -> list[str]:
    return [
        JOB_KIND[Channel.SMS],
        *(f"{JOB_KIND[Channel.SMS]}.{n}" for n in range(1, SMS_LANES)),
        JOB_KIND[Channel.ROBOT],
    ]


MAX_KEY = 200


def job_id(key: str, attempt: int) -> str:
    return f"notify:{key}#{attempt}"


def receipt_job_id(key: str, check: int) -> str:
    return f"notify-receipt:{key}#{check}"


async def queue(
    db: Database,
    *,
    clock: Clock,
    protector: Protector,
    settings: NotifySettings,
    key: str,
    kind: str,
    recipient: Recipient,
    params: Mapping[str, str],
    community_code: str,
    wake: Callable[[], None] | None = None,
) -> Queued:
    """Store the message and its sender job once per `key`; see the package docstring."""
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"a message key is 1 to {MAX_KEY} characters")
    template = settings.notify_templates.get(kind)
    if template is None:
        raise NotConfigured(f"no template for messages of kind {kind}")
    if missing := [name for name in template.params if name not in params]:
        raise ValueError(f"parameters missing for {kind}: {', '.join(missing)}")
    now = clock.now()
    document: dict[str, Any] = {
        "_id": key,
        "kind": kind,
        "community_code": community_code,
        "params": protector.seal(_join(params, template.params), context=PARAMS_CONTEXT),
        "state": State.QUEUED.value,
        "attempts": 0,
        "error": None,
        "vendor_message_id": None,
        "created_at": now,
        "updated_at": now,
    }
    if isinstance(recipient, Phone):
        vendor = settings.sms_vendor_for(community_code)
        if vendor == "disabled":
            raise NotConfigured("no SMS gateway is configured")
        if vendor != "store" and not (template.sms and settings.template_code(vendor, kind)):
            raise NotConfigured(f"no {vendor} template code for messages of kind {kind}")
        phone_hash = protector.keyed_hash(recipient.number, context=PHONE_CONTEXT)
        document |= {
            "channel": Channel.SMS.value,
            "vendor": vendor,
            "phone": protector.seal(recipient.number, context=PHONE_CONTEXT),
            "phone_hash": phone_hash,
            "recipient": mask_phone(recipient.number),
        }
        counted = not template.capped or await _counted(
            db, clock=clock, settings=settings, phone_hash=phone_hash, key=key
        )
        if not counted:
            raise DailyCapReached("该手机号今日短信已达上限，请明天再试", retry_after=_seconds_to_midnight(now))
    else:
        robot = settings.robots().get(recipient.division_code)
        if robot is None:
            raise NotConfigured(f"no group robot is configured for {recipient.division_code}")
        document |= {
            "channel": Channel.ROBOT.value,
            "vendor": robot.vendor,
            "group": recipient.division_code,
            "mentions": [protector.seal(p, context=PHONE_CONTEXT) for p in recipient.mention_phones],
            "recipient": recipient.division_code,
        }
    created = True
    try:
        await db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        created = False
    kind_name, payload = lane(Channel(document["channel"]), key), {"key": key, "attempt": 1}
    await jobs.schedule(db, job_id=job_id(key, 1), kind=kind_name, due_at=now, payload=payload, clock=clock)
    if not created:
        existing = await db[COLLECTION].find_one({"_id": key}, {"state": 1})
        return Queued(key, State(existing["state"]) if existing else State.QUEUED, created=False)
    if wake is not None:
        wake()
    return Queued(key, State.QUEUED, created=True)


async def get(db: Database, key: str) -> MessageRead | None:
    document = await db[COLLECTION].find_one({"_id": key})
    return to_read(document) if document else None


async def undelivered(
    db: Database, *, jurisdiction: str, since: datetime | None = None, limit: int = 100
) -> list[MessageRead]:
    """Messages of communities under `jurisdiction` (a division code prefix) that failed for good, newest first."""
    if not jurisdiction.isdigit() or len(jurisdiction) > 12:
        raise ValueError("jurisdiction is a division code prefix")
    query: dict[str, Any] = {"state": State.FAILED.value, "community_code": {"$regex": f"^{jurisdiction}"}}
    if since is not None:
        query["updated_at"] = {"$gte": since}
    cursor = db[COLLECTION].find(query).sort([("updated_at", DESCENDING)]).limit(limit)
    return [to_read(d) for d in await read(cursor, limit)]


def to_read(document: Mapping[str, Any]) -> MessageRead:
    return MessageRead(
        key=document["_id"],
        kind=document["kind"],
        channel=Channel(document["channel"]),
        vendor=document["vendor"],
        community_code=document["community_code"],
        recipient=document["recipient"],
        state=State(document["state"]),
        attempts=document["attempts"],
        error=document.get("error"),
        vendor_message_id=document.get("vendor_message_id"),
        created_at=document["created_at"],
        updated_at=document["updated_at"],
    )


async def _counted(db: Database, *, clock: Clock, settings: NotifySettings, phone_hash: str, key: str) -> bool:
    """Count `key` against the phone's day; False when the day is full. One guarded upsert: the array of
    keys grows only while its last allowed place is empty, and a key counted before is not counted again."""
    cap = settings.sms_daily_cap_per_phone
    day = local_today(clock).isoformat()
    counter = f"{phone_hash}:{day}"
    try:
        await db[CAPS].update_one(
            {"_id": counter, f"keys.{cap - 1}": {"$exists": False}},
            {"$addToSet": {"keys": key}, "$setOnInsert": {"day": day}},
            upsert=True,
        )
    except DuplicateKeyError:  # the day is full: unless this very key was counted in it already
        return await db[CAPS].count_documents({"_id": counter, "keys": key}) == 1
    return True


def _seconds_to_midnight(now: datetime) -> int:
    local = now.astimezone(LOCAL_TZ)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - local).total_seconds()))


def _join(params: Mapping[str, str], names: tuple[str, ...]) -> str:
    return json.dumps({name: str(params[name]) for name in names}, ensure_ascii=False)
