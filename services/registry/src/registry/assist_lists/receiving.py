"""Receiving a pushed list: every entry validated, matched to a registered person, sealed, stored once.

The list document is written first and records the push's fingerprint, so a retry is recognised. Entries
and then the list's one receipt report follow, each idempotent by a derived id; only then is the list marked
received. A push interrupted half-way is finished by the platform's retry (it got no answer, so it retries):
it stores the entries still missing and the receipt if it is not stored yet, so the list gets exactly one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from gridline.auth import scope_keys
from gridline.clock import Clock, local_today
from gridline.errors import Conflict, DomainError
from gridline.idempotency import fingerprint
from gridline.mongo import Database, DuplicateKeyError, PyMongoError
from gridline.pii import Protector, mask_document_number, mask_name, mask_phone

from registry import documents
from registry.assist_lists import reporting
from registry.assist_lists.models import AssistListPush, AssistListReceipt, EntryIn, EntryStatus, Match
from registry.assist_lists.store import ENTRIES, LISTS, entry_key
from registry.division_tree import service as division_tree
from registry.persons import registration

MAX_REPORTED_ERRORS = 100


class InvalidEntries(DomainError):
    """Some entries break a rule; the whole push is refused so the platform can fix and resend it at once."""

    status = 422
    type = "/problems/validation"


async def receive(
    *, db: Database, clock: Clock, protector: Protector, client_id: str, body: AssistListPush
) -> tuple[AssistListReceipt, bool]:
    """Store a pushed list once; the same push again returns the first receipt (and False)."""
    identifiers = await validated_identifiers(db, body, clock)
    now = _stored_precision(clock.now())
    existing = await _claim(db, body, client_id, now)
    if existing is not None and existing["state"] == "received":
        return AssistListReceipt.model_validate(existing["receipt"]), False
    received_at: datetime = existing["received_at"] if existing else now
    matches = await _matches(db, protector, body, identifiers)
    entries = [
        _entry(body.list_id, i, entry, identifiers[i], matches, protector, client_id, received_at)
        for i, entry in enumerate(body.entries)
    ]
    await _insert_entries(db, body.list_id, entries)
    await reporting.schedule_receipt(db=db, clock=clock, list_id=body.list_id, received_at=received_at, entries=entries)
    matched = sum(1 for e in entries if e["person_id"])
    receipt = AssistListReceipt(
        list_id=body.list_id,
        received_at=received_at,
        entries=len(entries),
        matched=matched,
        pending_registration=len(entries) - matched,
    )
    await db[LISTS].update_one({"_id": body.list_id}, {"$set": {"state": "received", "receipt": receipt.model_dump()}})
    return receipt, existing is None


async def validated_identifiers(db: Database, body: AssistListPush, clock: Clock) -> list[tuple[str, str | None]]:
    """Each entry's normalised document number and phone; InvalidEntries naming every bad field."""
    known = await division_tree.known_communities(db=db, codes={entry.community_code for entry in body.entries})
    errors: list[dict[str, str]] = []
    result: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    today = local_today(clock)
    for i, entry in enumerate(body.entries):
        if entry.entry_id in seen:
            errors.append({"path": f"entries.{i}.entry_id", "message": "条目编号在本名单中重复"})
        seen.add(entry.entry_id)
        if entry.community_code not in known:
            errors.append(
                {
                    "path": f"entries.{i}.community_code",
                    "message": division_tree.unknown_community(entry.community_code),
                }
            )
        check = partial(documents.validate, entry.document.type, entry.document.number, today=today)
        number = _checked(errors, f"entries.{i}.document.number", check)
        phone = None
        if entry.phone is not None:
            phone = _checked(errors, f"entries.{i}.phone", partial(documents.validate_phone, entry.phone))
        result.append((number or "", phone))
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        raise InvalidEntries(f"{len(errors)} invalid field(s) in entries; nothing was stored", errors=shown)
    return result


def _checked(errors: list[dict[str, str]], path: str, check: Callable[[], str]) -> str | None:
    try:
        return check()
    except documents.InvalidDocument as exc:
        errors.append({"path": path, "message": str(exc)})
        return None


def _stored_precision(at: datetime) -> datetime:
    # BSON dates hold milliseconds: the first answer must equal what a retry reads back.
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


async def _claim(db: Database, body: AssistListPush, client_id: str, now: datetime) -> dict[str, Any] | None:
    """Insert the list's header, or return the stored one when this is a retry of the same push."""
    header = {
        "_id": body.list_id,
        "issued_by": body.issued_by,
        "deadline": body.deadline,
        "received_at": now,
        "received_from": client_id,
        "fingerprint": fingerprint(body),
        "state": "receiving",
    }
    try:
        await db[LISTS].insert_one(header)
    except DuplicateKeyError:
        existing = await db[LISTS].find_one({"_id": body.list_id})
        if existing is None:
            raise
        if existing["received_from"] != client_id or existing["fingerprint"] != header["fingerprint"]:
            raise Conflict("这份协查名单已收到，且内容不同", list_id=body.list_id) from None
        return existing
    return None


async def _matches(
    db: Database, protector: Protector, body: AssistListPush, identifiers: list[tuple[str, str | None]]
) -> dict[str, dict[str, Any]]:
    """Registered persons by document hash, found with one query for the whole list."""
    hashes = [
        registration.document_hash(protector, e.document.type.value, number)
        for e, (number, _) in zip(body.entries, identifiers, strict=True)
    ]
    cursor = db[registration.COLLECTION].find({"document.hash": {"$in": hashes}}, {"document.hash": 1, "scope": 1})
    return {p["document"]["hash"]: p async for p in cursor}


def _entry(
    list_id: str,
    position: int,
    entry: EntryIn,
    identifiers: tuple[str, str | None],
    matches: dict[str, dict[str, Any]],
    protector: Protector,
    client_id: str,
    at: datetime,
) -> dict[str, Any]:
    number, phone = identifiers
    kind = entry.document.type.value
    document_hash = registration.document_hash(protector, kind, number)
    person = matches.get(document_hash)
    # The person's own community sees the entry too: that is where they are registered and can be found.
    scope = sorted(set(scope_keys(entry.community_code)) | set(person["scope"] if person else []))
    return {
        "_id": entry_key(list_id, entry.entry_id),
        "list_id": list_id,
        "entry_id": entry.entry_id,
        "position": position,
        "name": protector.seal(entry.name, context="assist_entry.name"),
        "name_masked": mask_name(entry.name),
        "document": {
            "type": kind,
            "number": protector.seal(number, context="assist_entry.document"),
            "masked": mask_document_number(number),
            "hash": document_hash,
        },
        "phone": protector.seal(phone, context="assist_entry.phone") if phone else None,
        "phone_masked": mask_phone(phone) if phone else None,
        "community_code": entry.community_code,
        "scope": scope,
        "reason": entry.reason,
        "person_id": person["_id"] if person else None,
        "match": (Match.MATCHED if person else Match.PENDING_REGISTRATION).value,
        "status": EntryStatus.PENDING.value,
        "version": 1,
        "note": None,
        "history": [{"version": 1, "status": EntryStatus.PENDING.value, "at": at, "by": f"client:{client_id}"}],
        "received_at": at,
        "updated_at": at,
    }


async def _insert_entries(db: Database, list_id: str, entries: list[dict[str, Any]]) -> None:
    try:
        await db[ENTRIES].insert_many(entries, ordered=False)
    except PyMongoError:
        # The retry of an interrupted push finds some entries already stored: fine once all are there.
        if await db[ENTRIES].count_documents({"list_id": list_id}) < len(entries):
            raise
