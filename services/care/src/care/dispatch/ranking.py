"""Ranking helpers for a request (pure): right skill and community, available now, least loaded, fair on ties."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from care.helpers.availability import available_at
from care.vocabulary import RequestType

NEVER = datetime.min.replace(tzinfo=UTC)


def suits(helper: dict[str, Any], *, community_code: str, request_type: str, now: datetime) -> bool:
    """Active, serving this community, with the skill (any helper does for `other`), and available now."""
    return (
        helper.get("active", False)
        and community_code in helper["communities"]
        and (request_type == RequestType.OTHER or request_type in helper["skills"])
        and available_at(helper["windows"], helper.get("unavailable_until"), now)
    )


def rank(
    helpers: Iterable[dict[str, Any]], *, community_code: str, request_type: str, now: datetime
) -> list[dict[str, Any]]:
    """The suitable helpers, best first: lowest load; on a tie the one waiting longest since an assignment
    (never assigned first), then by id, so the same state always gives the same answer."""
    suitable = [h for h in helpers if suits(h, community_code=community_code, request_type=request_type, now=now)]
    return sorted(suitable, key=lambda h: (h.get("load", 0), h.get("last_assigned_at") or NEVER, h["_id"]))
