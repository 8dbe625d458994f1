"""Where assist lists live, and the one write that moves an entry to its next status."""

from __future__ import annotations

from typing import Any

from gridline.mongo import Database, ReturnDocument

from registry.assist_lists.models import Match

LISTS = "assist_lists"
ENTRIES = "assist_entries"


def entry_key(list_id: str, entry_id: str) -> str:
    # Neither id may contain "/", so the key is unambiguous and sorts entries of a list together.
    return f"{list_id}/{entry_id}"


async def apply_change(*, db: Database, change: dict[str, Any]) -> dict[str, Any] | None:
    """Apply a status change once: only the version just before it can move to it. The entry, or None."""
    version = change["version"]
    update: dict[str, Any] = {
        "$set": {
            "status": change["status"],
            "version": version,
            "note": change["note"],
            "person_id": change["person_id"],
            "match": (Match.MATCHED if change["person_id"] else Match.PENDING_REGISTRATION).value,
            "updated_at": change["at"],
            "updated_by": change["by"],
        },
        "$push": {"history": {k: change[k] for k in ("version", "status", "at", "by")}},
    }
    if change["person_scope"]:
        update["$addToSet"] = {"scope": {"$each": change["person_scope"]}}
    applied: dict[str, Any] | None = await db[ENTRIES].find_one_and_update(
        {"_id": change["entry"], "version": version - 1}, update, return_document=ReturnDocument.AFTER
    )
    if applied is not None:
        return applied
    current: dict[str, Any] | None = await db[ENTRIES].find_one({"_id": change["entry"]})
    return current
