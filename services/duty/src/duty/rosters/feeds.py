"""Each officer's roster as a calendar feed their phone subscribes to, through a signed link without sign-in.

The link carries a `gridline.links` token (HMAC-signed, purpose `roster_feed`, expiring) that names a feed, not
a person: the feed document, one per person, holds whose it is and which link is current. Issuing again
replaces the link, and the old one answers 410 from then on (a lost phone); revoking removes the feed. The
calendar is computed at each fetch from the rosters in force, so a swap or an override shows at the next refresh.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from gridline.auth import Principal
from gridline.clock import Clock
from gridline.links import LinkError, LinkSigner
from gridline.mongo import Database, Index, read

from duty.board import grids
from duty.rosters import desk, rotations
from duty.rosters.ical import FeedShift, calendar
from duty.rosters.models import RosterFeedRead
from duty.rosters.personal import held_by
from duty.settings import DutySettings

PURPOSE = "roster_feed"
COLLECTION = "roster_feeds"
INDEXES = [Index(COLLECTION, (("link_id", 1),), unique=True)]
# A person on the rosters of more communities than this is not one person's duty any more.
MAX_COMMUNITIES = 20
FEED_PATH = "/v1/roster-feeds/{token}/calendar.ics"
# Shifts are looked for this much beyond the window, so one running across its edges is shown whole (a
# weekly shift lasts seven days), and stays the same entry from one refresh to the next.
MARGIN = timedelta(days=8)


async def issue(
    *, db: Database, clock: Clock, links: LinkSigner, settings: DutySettings, principal: Principal, days: int | None
) -> RosterFeedRead:
    """A new link to the caller's own feed; the link issued before stops working."""
    now = clock.now()
    expires_at = now + timedelta(days=days or settings.roster_feed_valid_days)
    link_id, token = links.issue(purpose=PURPOSE, subject="roster-feed", scope={}, expires_at=expires_at)
    fields = {"link_id": link_id, "jurisdiction": principal.jurisdiction, "issued_at": now, "expires_at": expires_at}
    await db[COLLECTION].update_one({"_id": principal.subject}, {"$set": fields}, upsert=True)
    url = settings.public_url.rstrip("/") + FEED_PATH.format(token=token)
    return RosterFeedRead(url=url, webcal_url="webcal://" + url.split("://", 1)[1], expires_at=expires_at)


async def revoke(*, db: Database, principal: Principal) -> None:
    await db[COLLECTION].delete_one({"_id": principal.subject})


async def feed_of(*, db: Database, links: LinkSigner, token: str) -> tuple[str, dict[str, Any]]:
    """The link's id and its feed; LinkError when the link is not genuine, expired, replaced or revoked."""
    claims = links.verify(token, purpose=PURPOSE)
    feed = await db[COLLECTION].find_one({"link_id": claims.link_id})
    if feed is None:
        raise LinkError("expired", "this feed link was replaced or revoked; get a new one from the duty desk")
    return claims.link_id, feed


async def render(*, db: Database, clock: Clock, settings: DutySettings, feed: dict[str, Any]) -> bytes:
    """The calendar of the feed's person: their shifts from a week back to the configured days ahead."""
    now = clock.now()
    start = now - timedelta(days=settings.roster_feed_days_back)
    end = now + timedelta(days=settings.roster_feed_days_ahead)
    subject = feed["_id"]
    codes = await _communities(db=db, subject=subject, jurisdiction=feed["jurisdiction"], start=start)
    per_community = await asyncio.gather(
        *(_shifts(db=db, subject=subject, community_code=c, start=start, end=end) for c in codes)
    )
    shifts = sorted((s for found in per_community for s in found), key=lambda s: s.held.starts_at)
    return calendar(shifts=shifts, now=now)


async def _shifts(
    *, db: Database, subject: str, community_code: str, start: datetime, end: datetime
) -> list[FeedShift]:
    (rotation_list, changes), phone = await asyncio.gather(
        rotations.load(db=db, community_code=community_code, start=start - MARGIN, end=end + MARGIN),
        desk.phone_of(db=db, community_code=community_code),
    )
    found = held_by(subject, rotation_list, changes, start - MARGIN, end + MARGIN)
    held = [h for h in found if h.ends_at > start and h.starts_at < end]
    ids = sorted({h.rotation_id for h in held if h.rotation_id})
    names = {
        doc["_id"]: doc["name"]
        for doc in await read(db[rotations.COLLECTION].find({"_id": {"$in": ids}}, {"name": 1}), len(ids) or 1)
    }
    return [FeedShift(community_code, h, names.get(h.rotation_id or ""), phone) for h in held]


async def _communities(*, db: Database, subject: str, jurisdiction: str, start: datetime) -> list[str]:
    """The communities within the feed's jurisdiction whose rosters name the person."""
    scope = jurisdiction
    if jurisdiction.startswith("grid:"):  # a grid worker is on their community's roster, not only their grid's
        grid = await grids.get(db=db, grid_id=jurisdiction.removeprefix("grid:"))
        scope = grid["community_code"] if grid else jurisdiction
    planned, changed = await asyncio.gather(
        read(
            db[rotations.COLLECTION].find(
                {"scope": scope, "$or": [{"crews.duty_officer.subject": subject}, {"crews.leader.subject": subject}]},
                {"community_code": 1},
            ),
            rotations.MAX_ROTATIONS,
        ),
        read(
            db[rotations.CHANGES].find(
                {"scope": scope, "in_force": True, "legs.taker.subject": subject, "ends_at": {"$gt": start}},
                {"community_code": 1},
            ),
            rotations.MAX_ROTATIONS,
        ),
    )
    return sorted({d["community_code"] for d in (*planned, *changed)})[:MAX_COMMUNITIES]
