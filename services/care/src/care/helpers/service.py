"""Registering helpers and keeping their availability: inside the caller's jurisdiction, or their own record."""

from __future__ import annotations

import uuid
from typing import Any

from gridline.auth import Principal, scope_keys
from gridline.clock import Clock
from gridline.errors import Conflict, NotFound
from gridline.http.pagination import Page, PageParams, paginate
from gridline.idempotency import FIELD, fingerprint, stamp
from gridline.mongo import Database, DuplicateKeyError, Index, update_guarded
from gridline.pii import Protector, mask_phone

from care import contacts, rights
from care.helpers.availability import available_at
from care.helpers.models import AvailabilityUpdate, HelperCreate, HelperRead

COLLECTION = "helpers"
INDEXES = [
    Index(COLLECTION, (("scope", 1), ("_id", 1))),
    # Dispatch: `community|skill` (and `community|*`) in one array, so finding candidates is one equality.
    Index(COLLECTION, (("dispatch_keys", 1), ("active", 1), ("_id", 1))),
]
_ACCOUNT_NS = uuid.UUID("0f0b2a43-7d7e-4f55-8a0e-6c4b8f1d2e31")
PHONE_CONTEXT = "helper.phone"


def account_helper_id(account: str) -> str:
    """One helper record per sign-in account: its id derives from the account."""
    return str(uuid.uuid5(_ACCOUNT_NS, account))


def dispatch_keys(communities: list[str], skills: list[str]) -> list[str]:
    return [f"{c}|{s}" for c in communities for s in skills] + [f"{c}|*" for c in communities]


async def register(
    *,
    db: Database,
    clock: Clock,
    protector: Protector,
    principal: Principal,
    body: HelperCreate,
    helper_id: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """Register a helper serving communities inside the caller's jurisdiction."""
    for code in body.communities:
        if not principal.covers_division(code):
            raise NotFound("community")
    phone = contacts.normal_phone(body.phone, path="phone") if body.phone else None
    if body.account:
        helper_id = account_helper_id(body.account)
    document = stamp(_new_helper(body, helper_id, phone, protector, principal, clock), key=idempotency_key, body=body)
    try:
        await db[COLLECTION].insert_one(document)
    except DuplicateKeyError:
        existing = await db[COLLECTION].find_one({"_id": helper_id})
        if existing is None or existing.get(FIELD, {}).get("fingerprint") != fingerprint(body):
            raise Conflict("该账号已登记为志愿者", existing_helper_id=helper_id) from None
        return existing
    return document


def _new_helper(
    body: HelperCreate, helper_id: str, phone: str | None, protector: Protector, principal: Principal, clock: Clock
) -> dict[str, Any]:
    skills = [s.value for s in body.skills]
    return {
        "_id": helper_id,
        "name": body.name,
        "kind": body.kind.value,
        "organisation": body.organisation,
        "skills": skills,
        "communities": body.communities,
        "scope": sorted({key for code in body.communities for key in scope_keys(code)}),
        "dispatch_keys": dispatch_keys(body.communities, skills),
        "windows": [w.model_dump() for w in body.windows],
        "unavailable_until": None,
        "active": True,
        "account": body.account,
        "phone": protector.seal(phone, context=PHONE_CONTEXT) if phone else None,
        "phone_masked": mask_phone(phone) if phone else None,
        "load": 0,
        "open_requests": [],
        "last_assigned_at": None,
        "version": 1,
        "registered_at": clock.now(),
        "registered_by": principal.subject,
    }


async def get(*, db: Database, principal: Principal, helper_id: str) -> dict[str, Any]:
    """A helper in the caller's jurisdiction, or the caller's own record."""
    helper = await db[COLLECTION].find_one({"_id": helper_id})
    if helper is None or not (_coordinates(principal, helper) or helper.get("account") == principal.subject):
        raise NotFound("helper")
    return helper


def _coordinates(principal: Principal, helper: dict[str, Any]) -> bool:
    return principal.has_any(rights.READ_HELPERS) and principal.covers(helper["scope"])


async def list_page(*, db: Database, clock: Clock, principal: Principal, page: PageParams) -> Page[HelperRead]:
    return await paginate(db[COLLECTION], principal.scope_filter(), page, lambda d: to_read(d, clock))


async def set_availability(
    *, db: Database, clock: Clock, principal: Principal, helper_id: str, body: AvailabilityUpdate
) -> dict[str, Any]:
    helper = await get(db=db, principal=principal, helper_id=helper_id)
    if body.version is not None and body.version != helper["version"]:
        raise Conflict("该志愿者信息已被他人修改，请刷新后重试", current_version=helper["version"])
    changes = {
        "windows": [w.model_dump() for w in body.windows],
        "unavailable_until": body.unavailable_until,
        "active": body.active,
        "updated_at": clock.now(),
        "updated_by": principal.subject,
    }
    if not await update_guarded(
        db[COLLECTION], helper_id, {"version": helper["version"]}, {"$set": changes, "$inc": {"version": 1}}
    ):
        raise Conflict("该志愿者信息已被他人修改，请刷新后重试")
    return {**helper, **changes, "version": helper["version"] + 1}


def to_read(doc: dict[str, Any], clock: Clock) -> HelperRead:
    return HelperRead(
        id=doc["_id"],
        name=doc["name"],
        kind=doc["kind"],
        organisation=doc.get("organisation"),
        skills=doc["skills"],
        communities=doc["communities"],
        windows=doc["windows"],
        unavailable_until=doc.get("unavailable_until"),
        active=doc["active"],
        available_now=doc["active"] and available_at(doc["windows"], doc.get("unavailable_until"), clock.now()),
        account=doc.get("account"),
        phone=doc.get("phone_masked"),
        load=doc.get("load", 0),
        last_assigned_at=doc.get("last_assigned_at"),
        version=doc["version"],
        registered_at=doc["registered_at"],
    )
