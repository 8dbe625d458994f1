"""Acknowledgement links: short, signed, single-use and expiring, one per incident, step and person paged.

A link's token is `<id><tag>`: a 12-character id derived from (incident, level, person) under a key of duty's
own, so paging the same step again gives the same link and nobody can work out another's; and an 8-character
tag, an HMAC of the id, which tells a tampered token from a genuine one before any read. Short, because it
travels in an SMS. The stored link holds until when it works and whether it was used; acknowledging uses it,
once. Opening it (a GET, which chat apps send to preview a link) changes nothing.
"""

from __future__ import annotations

import contextlib
import hmac
import re
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from gridline.clock import Clock
from gridline.errors import DomainError
from gridline.links import LinkError
from gridline.mongo import Database, DuplicateKeyError, update_guarded

from duty.timing import aware

COLLECTION = "ack_links"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH, TAG_LENGTH = 12, 8
TOKEN = re.compile(rf"^[0-9A-Za-z]{{{ID_LENGTH + TAG_LENGTH}}}$")


class LinkUsed(DomainError):
    status = 410
    type = "/problems/link-used"


class AckKeys:
    """The two keys of acknowledgement links, derived from the service's hash key (no extra secret to manage)."""

    def __init__(self, hash_key: bytes) -> None:
        self._id_key = _derive(hash_key, b"gridline/duty/ack-links/v1/id")
        self._tag_key = _derive(hash_key, b"gridline/duty/ack-links/v1/tag")

    def token(self, *, incident_id: str, level: int, subject: str) -> str:
        link_id = _base62(hmac.digest(self._id_key, f"{incident_id}\x1f{level}\x1f{subject}".encode(), "sha256"))
        return link_id[:ID_LENGTH] + self._tag(link_id[:ID_LENGTH])

    def link_id(self, token: str) -> str:
        """The id of a genuine token; LinkError("invalid") for anything else."""
        if not TOKEN.match(token):
            raise LinkError("invalid", "this link is not valid")
        link_id, tag = token[:ID_LENGTH], token[ID_LENGTH:]
        if not hmac.compare_digest(self._tag(link_id), tag):
            raise LinkError("invalid", "this link is not valid")
        return link_id

    def _tag(self, link_id: str) -> str:
        return _base62(hmac.digest(self._tag_key, link_id.encode(), "sha256"))[:TAG_LENGTH]


async def issue(
    *, db: Database, clock: Clock, keys: AckKeys, incident: dict[str, Any], level: int, subject: str, ttl: timedelta
) -> str:
    """The token of the step's link for `subject`, stored once (paging the step again finds the same link)."""
    token = keys.token(incident_id=incident["_id"], level=level, subject=subject)
    document = {
        "_id": token[:ID_LENGTH],
        "incident_id": incident["_id"],
        "community_code": incident["community_code"],
        "level": level,
        "subject": subject,
        "created_at": clock.now(),
        "expires_at": clock.now() + ttl,
        "used_at": None,
    }
    with contextlib.suppress(DuplicateKeyError):  # the same step paged again: its link is stored
        await db[COLLECTION].insert_one(document)
    return token


async def find(*, db: Database, clock: Clock, keys: AckKeys, token: str) -> dict[str, Any]:
    """The stored link of a genuine, unexpired token (used or not); LinkError otherwise."""
    link = await db[COLLECTION].find_one({"_id": keys.link_id(token)})
    if link is None:
        raise LinkError("invalid", "this link is not valid")
    if clock.now() >= aware(link["expires_at"]):
        raise LinkError("expired", "this link has expired; acknowledge on the duty desk")
    return link


async def use(*, db: Database, clock: Clock, link: dict[str, Any]) -> bool:
    """Mark the link used; False when it was used already (by a request a moment before)."""
    return await update_guarded(db[COLLECTION], link["_id"], {"used_at": None}, {"$set": {"used_at": clock.now()}})


def used(link: dict[str, Any]) -> LinkUsed:
    at: datetime | None = link.get("used_at")
    when = aware(at).isoformat() if at else ""
    return LinkUsed("this link was used already", title="链接已使用", used_at=when)


def _derive(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def _base62(raw: bytes) -> str:
    number, digits = int.from_bytes(raw, "big"), []
    while number:
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits)) or "0"
