"""Identity documents and phone numbers: what a valid one looks like (pure functions, no I/O)."""

from __future__ import annotations

import operator
import re
from datetime import date
from enum import StrEnum


class DocumentType(StrEnum):
    PRC_ID = "prc_id"  # 居民身份证, GB 11643-1999
    PASSPORT = "passport"
    MAINLAND_TRAVEL_PERMIT = "mainland_travel_permit"  # 港澳台居民来往内地通行证
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"  # 外国人永久居留身份证


class InvalidDocument(ValueError):
    """The number cannot be a real document of its type; the message says why, in plain words."""


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
_PERMIT = re.compile(r"^([HM]\d{8}|\d{8})$")  # Hong Kong/Macao H/M + 8 digits; Taiwan 8 digits
_OLD_PERMANENT_RESIDENCE = re.compile(r"^[A-Z]{3}\d{12}$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_SPACES = re.compile(r"\s+")
_PHONE_SEPARATORS = re.compile(r"[\s-]")
# Province-level divisions of GB/T 2260 (the first two digits of every address code): 11–15 north, 21–23
# north-east, 31–37 east, 41–46 south-central, 50–54 south-west, 61–65 north-west, 71 Taiwan, 81 Hong Kong,
# 82 Macao. An ID whose address code starts otherwise was issued nowhere.
PROVINCES = frozenset(
    f"{code}"
    for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 82))
    for code in range(first, last + 1)
)


def normalise(number: str) -> str:
    return _SPACES.sub("", number).upper()


def gb11643_check_character(first17: str) -> str:
    if len(first17) != len(_WEIGHTS):
        raise ValueError("the check character is computed over exactly 17 digits")
    total = sum(map(operator.mul, map(int, first17), _WEIGHTS))
    return _CHECK[total % 11]


def prc_birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_prc_id(number: str, *, today: date) -> str:
    """A resident ID: the GB 11643 layout, with an address code in a province-level division."""
    number = _validate_gb11643(number, today=today)
    if number[:2] not in PROVINCES:
        raise InvalidDocument("居民身份证号码前两位不是有效的省级行政区划代码")
    return number


def _validate_gb11643(number: str, *, today: date) -> str:
    """An 18-character number: 17 digits, a correct check character, a real birth date in the past."""
    number = normalise(number)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidDocument("居民身份证号码应为18位：17位数字加1位校验码（数字或X）")
    if gb11643_check_character(number[:17]) != number[17]:
        raise InvalidDocument("居民身份证号码校验码不正确，请核对")
    try:
        born = prc_birth_date(number)
    except ValueError as exc:
        raise InvalidDocument("居民身份证号码中的出生日期不存在") from exc
    if born > today or born.year < 1890:
        raise InvalidDocument("居民身份证号码中的出生日期不合理")
    return number


def validate(kind: DocumentType, number: str, *, today: date) -> str:
    """Return the normalised number, or raise InvalidDocument."""
    number = normalise(number)
    if kind is DocumentType.PRC_ID:
        return validate_prc_id(number, today=today)
    if kind is DocumentType.PASSPORT:
        if not _PASSPORT.match(number):
            raise InvalidDocument("护照号码应为5至17位字母或数字")
    elif kind is DocumentType.MAINLAND_TRAVEL_PERMIT:
        if not _PERMIT.match(number):
            raise InvalidDocument("港澳居民来往内地通行证为H或M加8位数字，台湾居民来往大陆通行证为8位数字")
    elif kind is DocumentType.FOREIGN_PERMANENT_RESIDENCE and not _OLD_PERMANENT_RESIDENCE.match(number):
        # The 2023 card follows the GB 11643 layout and starts with 9.
        if not number.startswith("9"):
            raise InvalidDocument("外国人永久居留身份证号码格式不正确")
        _validate_gb11643(number, today=today)
    return number


def gender_from_prc_id(number: str) -> str:
    return "male" if int(number[16]) % 2 else "female"


def validate_phone(phone: str) -> str:
    phone = _PHONE_SEPARATORS.sub("", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _PHONE.match(phone):
        raise InvalidDocument("手机号码应为以1开头的11位数字")
    return phone
