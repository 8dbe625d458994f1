"""A grid manager's published work number: a mobile or a landline, the way it is dialled from the province."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3-4 digits with the leading 0), a 7- or 8-digit number, optionally an extension.
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def validate_work_phone(phone: str) -> str:
    """The number without spaces; ValueError (a 422 from the model) when it is neither form."""
    phone = re.sub(r"\s", "", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        raise ValueError("工作电话应为11位手机号码或带区号的固定电话（如0571-87001234）")
    return phone
