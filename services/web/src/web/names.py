"""The names pages show in place of the services' ids and codes: grids, venues, divisions and accounts.

A page looks its names up once per answer (`grids`, `venues`); a division's name is a public fact that hardly
ever changes, so it is kept a while for every page (`division`). A name that cannot be found is shown as a word
for what it is ("网格"), never as the id.
"""

from __future__ import annotations

import re
import time
from typing import Any

from web.apis import Apis
from web.session import User
from web.upstream import Api, ApiError, Unavailable

DIVISION_SECONDS = 600
MAX_PAGES = 10
_divisions: dict[str, tuple[float, str | None]] = {}
# An account id as identity providers make them (a UUID, a long hex run): never something to show a person.
_MACHINE_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$", re.I)


async def _all(api: Api, user: User, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a paged list the user may read; none when the role may not read it at all."""
    found: list[dict[str, Any]] = []
    params = {**params, "limit": 200}
    try:
        for _ in range(MAX_PAGES):
            page = await api.call("GET", path, token=user.token, params=params)
            found.extend(page["items"])
            if not page.get("next_cursor"):
                break
            params["cursor"] = page["next_cursor"]
    except ApiError as error:
        if error.status == 401:
            raise
        return []  # a role that may not read them sees the names in words
    except Unavailable:
        return []  # a page still shows when only its names are missing
    return found


def _scope(user: User) -> dict[str, Any]:
    return {"community_code": user.community} if user.community else {}


async def grids(apis: Apis, user: User) -> dict[str, str]:
    """The names of the grids the user may see, by grid id."""
    return {g["id"]: g["name"] for g in await _all(apis.registry, user, "/v1/grids", _scope(user))}


async def venues(apis: Apis, user: User) -> dict[str, str]:
    """The names of the venues (service centres, stores) the user may see, by venue id."""
    return {v["id"]: v["name"] for v in await _all(apis.duty, user, "/v1/venues", _scope(user))}


async def division(apis: Apis, code: str) -> str | None:
    """A township's or community's name with its township's ("北山街道 曙光社区"), or None when unknown."""
    if len(code) == 12:
        township, community = await _division(apis, code[:9]), await _division(apis, code)
        return f"{township} {community}" if township and community else community
    return await _division(apis, code)


async def _division(apis: Apis, code: str) -> str | None:
    """One division's own name, from the registry's public list (kept DIVISION_SECONDS)."""
    kept = _divisions.get(code)
    if kept and kept[0] > time.monotonic():
        return kept[1]
    try:
        found = await apis.registry.call("GET", f"/v1/public/divisions/{code}")
        name: str | None = str(found["name"])
    except ApiError:
        name = None
    except Unavailable:
        return kept[1] if kept else None
    _divisions[code] = (time.monotonic() + DIVISION_SECONDS, name)
    return name


def reference(value: Any) -> str:
    """A number people quote (an assist list's entry number as its issuer wrote it); nothing for a machine id."""
    text = str(value or "").strip()
    return "" if _MACHINE_ID.match(text) else text


def person(name: Any, fallback: str = "工作人员") -> str:
    """An account's display name; an account id (as some identity providers make them) is never shown."""
    text = str(name or "").strip()
    return fallback if not text or _MACHINE_ID.match(text) else text
