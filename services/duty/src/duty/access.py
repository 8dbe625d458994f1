"""Jurisdiction checks shared by every aggregate: a record outside the caller's reach does not exist for them."""

from __future__ import annotations

from gridline.auth import Principal, scope_keys
from gridline.errors import NotFound
from gridline.mongo import Index


def require_covers(principal: Principal, community_code: str, grid_id: str | None = None, *, what: str) -> list[str]:
    """The record's scope keys, or 404 when the caller's jurisdiction does not contain it."""
    scope = scope_keys(community_code, grid_id)
    if not principal.covers(scope):
        raise NotFound(what)
    return scope


def scoped_query(principal: Principal, community_code: str | None) -> dict[str, str]:
    """A list's filter: the caller's jurisdiction, narrowed to one community when asked (an indexed equality)."""
    if community_code is None:
        return {"scope": principal.jurisdiction}
    if principal.covers_division(community_code):
        return {"scope": community_code}
    # A grid worker asking for their community sees what lies in their grid.
    return {"scope": principal.jurisdiction, "community_code": community_code}


def scoped_indexes(collection: str) -> list[Index]:
    """The indexes every form of `scoped_query` is answered from."""
    return [
        Index(collection, (("scope", 1), ("_id", 1))),
        Index(collection, (("scope", 1), ("community_code", 1), ("_id", 1))),
    ]
