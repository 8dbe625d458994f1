"""The duty desk's incidents as duty lists them, and what changed since the last look (for the live feed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web.session import User
from web.upstream import Api

ACTIVE = ("open", "acknowledged")
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
MAX_PAGES = 10


async def every_page(api: Api, user: User, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The items of a paged list, following `next_cursor` (up to MAX_PAGES pages of 200, enough for a page)."""
    found: list[dict[str, Any]] = []
    params = {**params, "limit": 200}
    for _ in range(MAX_PAGES):
        page = await api.call("GET", path, token=user.token, params=params)
        found.extend(page["items"])
        if not page.get("next_cursor"):
            break
        params["cursor"] = page["next_cursor"]
    return found


async def active_incidents(duty: Api, user: User) -> list[dict[str, Any]]:
    """Every incident not yet resolved in the user's community (or jurisdiction), most pressing first."""
    scope = {"community_code": user.community} if user.community else {}
    found: list[dict[str, Any]] = []
    for status in ACTIVE:
        found += await every_page(duty, user, "/v1/incidents", {**scope, "status": status})
    return sorted(found, key=urgency)


def urgency(incident: dict[str, Any]) -> tuple[int, int, int, str]:
    """Open before acknowledged, escalated higher first, then severity, then the newest first."""
    opened = str(incident.get("opened_at", ""))
    inverted = "".join(chr(0x10FFFF - ord(c)) for c in opened)
    return (
        0 if incident["status"] == "open" else 1,
        -int(incident.get("level", 0)),
        SEVERITY_RANK.get(incident["severity"], 9),
        inverted,
    )


@dataclass
class Tracker:
    """The version of each incident the browser already shows, to send only what is new or changed."""

    seen: dict[str, int] = field(default_factory=dict)

    def changes(self, incidents: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Incidents new or changed since the last call, and the ids of those no longer active (resolved)."""
        current = {i["id"]: int(i["version"]) for i in incidents}
        changed = [i for i in incidents if self.seen.get(i["id"]) != current[i["id"]]]
        gone = [incident_id for incident_id in self.seen if incident_id not in current]
        self.seen = current
        return changed, gone
