"""Statistical division codes: county (6) + township (3) + village/community (3) digits."""

from __future__ import annotations

import re
from enum import StrEnum

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
