"""The help requests assigned to the signed-in helper, as care lists them."""

from __future__ import annotations

from typing import Any

from web.pages.desk_feed import every_page as _all
from web.session import User
from web.upstream import Api

WORKING = ("assigned", "acknowledged", "in_progress")


async def my_helper_id(care: Api, user: User) -> str | None:
    """The helper record the user signs in as (its `account` is the token's subject), if they are one."""
    helpers = await _all(care, user, "/v1/helpers", {})
    return next((h["id"] for h in helpers if h.get("account") == user.subject), None)


async def my_requests(care: Api, user: User) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(still to do, done) among the requests assigned to the user, the most pressing first.

    A volunteer's list is their own assignments already; a social worker sees the whole community, so their
    own are those assigned to their helper record."""
    if user.has("social_worker", "grid_worker", "community_admin"):
        helper_id = await my_helper_id(care, user)
        found = [r for r in await _all(care, user, "/v1/requests", {}) if _assigned_to(r, helper_id)]
    else:
        found = await _all(care, user, "/v1/requests", {})
    todo = sorted((r for r in found if r["status"] in WORKING), key=lambda r: r["fulfil_by"])
    done = sorted((r for r in found if r["status"] not in WORKING), key=lambda r: r["updated_at"], reverse=True)
    return todo, done[:10]


def _assigned_to(request: dict[str, Any], helper_id: str | None) -> bool:
    """Whether the request's helper is `helper_id` (never, for someone who is no helper)."""
    assignee = request.get("assignee") or {}
    return helper_id is not None and assignee.get("helper_id") == helper_id
