"""Who is calling, what they may do, and where."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    COMMUNITY_ADMIN = "community_admin"
    TOWNSHIP_OFFICER = "township_officer"
    COUNTY_OFFICER = "county_officer"
    SOCIAL_WORKER = "social_worker"
    VOLUNTEER = "volunteer"
    VENUE_STAFF = "venue_staff"
    DUTY_OFFICER = "duty_officer"
    INTEGRATION = "integration"
    PLATFORM_ADMIN = "platform_admin"


# A jurisdiction is a division-code prefix (province 2, city 4, county 6, township 9, community 12 digits)
# or one grid.
_DIVISION = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$")
_GRID = re.compile(r"^grid:[A-Za-z0-9_-]{1,64}$")
DIVISION_LEVELS = (2, 4, 6, 9, 12)


def valid_jurisdiction(value: str) -> bool:
    return bool(_DIVISION.match(value) or _GRID.match(value))


def scope_keys(division_code: str, grid_id: str | None = None) -> list[str]:
    """Every jurisdiction that contains a record: each prefix level of its division code, and its grid.

    Stored on the record as `scope`, so "inside my jurisdiction" is one indexed equality match.
    """
    keys = [division_code[:n] for n in DIVISION_LEVELS if len(division_code) >= n]
    if grid_id:
        keys.append(f"grid:{grid_id}")
    return keys


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    jurisdiction: str
    claims: dict[str, Any]

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)

    def scope_filter(self) -> dict[str, str]:
        """The query condition confining a read or write to this caller's jurisdiction."""
        return {"scope": self.jurisdiction}

    def covers(self, scope: list[str]) -> bool:
        return self.jurisdiction in scope

    def covers_division(self, division_code: str) -> bool:
        return not self.jurisdiction.startswith("grid:") and division_code.startswith(self.jurisdiction)
