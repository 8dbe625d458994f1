"""Public work numbers (the duty desk's, a venue's): mobile or landline, shown in full because they are published."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3-4 digits with the leading 0), a 7- or 8-digit number, optionally an extension.
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
# Government service hotlines such as 12345 and 12320.
_HOTLINE = re.compile(r"^12\d{3}$")


def validate_public_phone(phone: str) -> str:
    """The number without spaces; ValueError when it is none of the forms."""
    phone = re.sub(r"\s", "", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone) or _HOTLINE.match(phone)):
        raise ValueError("电话应为11位手机号码、带区号的固定电话（如0571-87001234）或政务热线")
    return phone
