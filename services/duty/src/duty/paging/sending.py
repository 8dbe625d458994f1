"""Queueing the pages of one step through `gridline.notify`: to the person the step went to, by the channels of
their policy, and to the duty group's robot. Each message's key is (incident, level, channel), or the group's
window for a grouped page, so paging a step again, after a crash or a redelivery, sends nothing twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from math import ceil
from typing import Any

from gridline import notify
from gridline.clock import Clock
from gridline.mongo import Database
from gridline.pii import Protector

from duty.board import grids
from duty.paging import links, policies, texts
from duty.paging.models import PageChannel
from duty.settings import DutySettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Paging:
    """What every page of one flush needs."""

    db: Database
    clock: Clock
    protector: Protector
    settings: DutySettings


async def page_incident(paging: Paging, *, incident: dict[str, Any], level: int) -> list[str]:
    """Page the holder of an incident's step, with a link that acknowledges it; the keys queued."""
    assignee = incident["assignee"]
    token = await links.issue(
        db=paging.db,
        clock=paging.clock,
        keys=links.AckKeys(paging.settings.hash_key_bytes()),
        incident=incident,
        level=level,
        subject=assignee["subject"],
        ttl=timedelta(minutes=paging.settings.ack_link_minutes),
    )
    params = {
        "who": assignee.get("name") or "值班人员",
        "place": await _place(paging.db, incident),
        "kind": texts.kind_name(incident["kind"]),
        "summary": incident["summary"][:40],
        "link": f"{paging.settings.ack_page_url.rstrip('/')}/{token}",
    }
    kind = texts.PAGE
    if level > 0:
        kind = texts.ESCALATED
        params["minutes"] = str(_waited(incident, level))
    return await _send(paging, incident, assignee, kind, params, key=f"page:{incident['_id']}:{level}")


async def page_group(paging: Paging, *, incidents: list[dict[str, Any]], window: str) -> list[str]:
    """One page for many incidents of one kind, community and step: how many, and the desk's address."""
    first = incidents[0]
    assignee = first["assignee"]
    params = {
        "who": assignee.get("name") or "值班人员",
        "place": f"社区（{first['community_code']}）",
        "minutes": str(max(1, ceil(paging.settings.paging_group_seconds / 60))),
        "kind": texts.kind_name(first["kind"]),
        "count": str(len(incidents)),
        "link": paging.settings.desk_page_url,
    }
    urgent = max(incidents, key=lambda i: i["severity"] in policies.URGENT)
    key = f"pages:{window}:{assignee['subject']}"
    return await _send(paging, urgent, assignee, texts.GROUPED, params, key=key)


async def _send(
    paging: Paging, incident: dict[str, Any], assignee: dict[str, Any], kind: str, params: dict[str, str], *, key: str
) -> list[str]:
    subject = assignee["subject"]
    community = incident["community_code"]
    if subject.startswith("desk:"):  # the township desk is a room, reached through its group
        channels, phone = [PageChannel.ROBOT], None
        groups = [subject.removeprefix("desk:")]
    else:
        policy = await policies.load(db=paging.db, protector=paging.protector, subject=subject)
        channels = policy.channels_for(severity=incident["severity"], at=paging.clock.now())
        phone, groups = policy.phone, [community, community[:9]]
    queued = []
    for channel in channels:
        if channel is PageChannel.SMS and phone is None:
            continue  # no phone in their policy: the group robot is how they hear of it
        recipients: list[notify.Phone | notify.Group] = (
            [notify.Phone(phone)]
            if channel is PageChannel.SMS and phone
            else [notify.Group(code, mention_phones=(phone,) if phone else ()) for code in groups]
        )
        message_key = f"{key}:{channel.value}"
        if await _queue(paging, message_key, kind, recipients, params, community):
            queued.append(message_key)
    return queued


async def _queue(
    paging: Paging,
    key: str,
    kind: str,
    recipients: list[notify.Phone | notify.Group],
    params: dict[str, str],
    community: str,
) -> bool:
    """Queue to the first recipient that is configured (the community's group, else the township's)."""
    for recipient in recipients:
        try:
            await notify.queue(
                paging.db,
                clock=paging.clock,
                protector=paging.protector,
                settings=paging.settings,
                key=key,
                kind=kind,
                recipient=recipient,
                params=params,
                community_code=community,
            )
        except notify.NotConfigured:
            continue
        except notify.DailyCapReached:
            log.warning("page %s not texted: the phone had its texts for today", key)
            return False
        return True
    log.warning(
        "page %s has no configured %s", key, "SMS gateway" if isinstance(recipients[0], notify.Phone) else "group robot"
    )
    return False


async def _place(db: Database, incident: dict[str, Any]) -> str:
    grid = await grids.get(db=db, grid_id=incident["grid_id"]) if incident.get("grid_id") else None
    return str(grid["name"]) if grid else f"社区（{incident['community_code']}）"


def _waited(incident: dict[str, Any], level: int) -> int:
    """Minutes the step before this one waited for an acknowledgement."""
    steps = incident["chain"]["steps"]
    return int(steps[min(level - 1, len(steps) - 1)]["wait_minutes"])
