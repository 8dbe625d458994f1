"""Acknowledging an incident from its page: the link's confirm page reads, only the POST acknowledges.

The incident is acknowledged first and the link marked used after, so a crash in between leaves a link that
acknowledges again (a no-op) rather than a used link and an incident still escalating.
"""

from __future__ import annotations

from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.errors import Conflict
from gridline.links import LinkError
from gridline.mongo import Database

from duty.incidents import service as incidents
from duty.incidents.store import COLLECTION as INCIDENTS
from duty.paging import links, texts
from duty.paging.models import AckDone, AckView
from duty.timing import aware


async def view(*, db: Database, clock: Clock, keys: links.AckKeys, token: str) -> AckView:
    """What the link's confirm page shows; nothing changes."""
    link = await links.find(db=db, clock=clock, keys=keys, token=token)
    incident = await _incident(db, link)
    return AckView(
        incident_id=incident["_id"],
        kind=incident["kind"],
        kind_name=texts.kind_name(incident["kind"]),
        summary=incident["summary"],
        community_code=incident["community_code"],
        status=incident["status"],
        level=incident["level"],
        opened_at=incident["opened_at"],
        link_expires_at=aware(link["expires_at"]),
        link_used=link.get("used_at") is not None,
    )


async def acknowledge(*, db: Database, clock: Clock, keys: links.AckKeys, token: str) -> AckDone:
    """Acknowledge the link's incident as the person it was sent to; the link works once."""
    link = await links.find(db=db, clock=clock, keys=keys, token=token)
    if link.get("used_at") is not None:
        raise links.used(link)
    incident = await _incident(db, link)
    if incident["status"] == "resolved":
        raise Conflict("事件已处理完毕，无需确认", current_status="resolved")
    holder = Principal(
        subject=link["subject"],
        roles=frozenset({"duty_officer"}),
        jurisdiction=incident["community_code"],
        claims={"via": "ack_link", "link_id": link["_id"]},
    )
    already = incident["status"] == "acknowledged"
    after = await incidents.acknowledge(db=db, clock=clock, principal=holder, incident_id=incident["_id"], version=None)
    if not await links.use(db=db, clock=clock, link=link):
        raise links.used({**link, "used_at": clock.now()})
    return AckDone(
        incident_id=after["_id"],
        status=after["status"],
        acknowledged_by=after.get("acknowledged_by"),
        acknowledged_at=after.get("acknowledged_at"),
        already=already,
    )


async def _incident(db: Database, link: dict[str, Any]) -> dict[str, Any]:
    incident = await db[INCIDENTS].find_one({"_id": link["incident_id"]}, {"_outbox": 0})
    if incident is None:
        raise LinkError("invalid", "this link is not valid")
    return incident
