"""A resident's contact details: sealed at rest, masked in every list and never in an event.

Members, requests and templates seal with the same contexts, so a member's contact is copied onto a request
as sealed bytes, without opening it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from gridline.errors import Invalid
from gridline.pii import Protector, mask_name, mask_phone
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NAME = "contact.name"
PHONE = "contact.phone"
ADDRESS = "contact.address"
_PHONE = re.compile(r"^1[3-9]\d{9}$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20, description="mobile number, 11 digits")
    address: Text | None = Field(default=None, max_length=200)


class ContactRead(BaseModel):
    name: str | None = Field(description="masked, e.g. 李*英")
    phone: str | None = Field(description="masked, e.g. 138****1234")
    address: str | None = Field(description="masked: only its first characters")


def normal_phone(phone: str, *, path: str) -> str:
    """An 11-digit mainland mobile number, or 422 naming `path`."""
    digits = re.sub(r"[\s-]", "", phone).removeprefix("+86")
    if not _PHONE.match(digits):
        raise Invalid(path, "手机号码应为以1开头的11位数字")
    return digits


def seal(
    contact: ContactIn | None, protector: Protector, *, phone_path: str = "contact.phone"
) -> dict[str, Any] | None:
    """The contact as stored, or None when nothing was given."""
    if contact is None or not (contact.name or contact.phone or contact.address):
        return None
    sealed: dict[str, Any] = {}
    if contact.name:
        sealed |= {"name": protector.seal(contact.name, context=NAME), "name_masked": mask_name(contact.name)}
    if contact.phone:
        phone = normal_phone(contact.phone, path=phone_path)
        sealed |= {"phone": protector.seal(phone, context=PHONE), "phone_masked": mask_phone(phone)}
    if contact.address:
        sealed |= {
            "address": protector.seal(contact.address, context=ADDRESS),
            "address_masked": mask_address(contact.address),
        }
    return sealed


def masked(stored: dict[str, Any] | None) -> ContactRead | None:
    if not stored:
        return None
    return ContactRead(
        name=stored.get("name_masked"), phone=stored.get("phone_masked"), address=stored.get("address_masked")
    )


def opened(stored: dict[str, Any] | None, protector: Protector) -> dict[str, str | None]:
    """Every field in full: only for an audited reveal."""
    stored = stored or {}
    contexts = {"name": NAME, "phone": PHONE, "address": ADDRESS}
    return {f: protector.open(stored[f], context=c) if stored.get(f) else None for f, c in contexts.items()}


def mask_address(address: str) -> str:
    """The first few characters (a district, a street), never the door."""
    keep = min(6, max(1, len(address) // 3))
    return address[:keep] + "*" * 4
