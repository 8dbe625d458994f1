"""HTTP adapter for roster feeds: an officer gets their own feed link; a phone calendar fetches it without sign-in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status
from gridline.auth import Principal
from gridline.http.deps import PUBLIC, ClockDep, DbDep, LinksDep, RuntimeDep, SettingsDep, require

from duty import rights
from duty.openapi import Responses
from duty.rosters import feeds
from duty.rosters.models import RosterFeedIssue, RosterFeedRead
from duty.settings import DutySettings

router = APIRouter(prefix="/v1/roster-feeds", tags=["rosters"])
Owner = Annotated[Principal, Depends(require(rights.OWN_ROSTER_FEED))]
FeedToken = Annotated[
    str,
    Path(
        min_length=20,
        max_length=1000,
        pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
        description="the token of the feed link",
    ),
]
CALENDAR = "text/calendar"
FEED_PROBLEMS: Responses = {
    200: {"content": {CALENDAR: {"schema": {"type": "string"}}}, "description": "the shifts as iCalendar"},
    401: {"description": "the link is not genuine"},
    410: {"description": "the link expired, or was replaced or revoked"},
    429: {"description": "this link is fetched too often"},
}


class CalendarResponse(Response):
    media_type = f"{CALENDAR}; charset=utf-8"


@router.post(
    "/mine",
    operation_id="issueRosterFeed",
    status_code=status.HTTP_201_CREATED,
    summary="A link to your own shifts as a calendar feed; the link issued to you before stops working",
)
async def issue_roster_feed(
    body: RosterFeedIssue, db: DbDep, clock: ClockDep, links: LinksDep, settings: SettingsDep, principal: Owner
) -> RosterFeedRead:
    assert isinstance(settings, DutySettings)
    return await feeds.issue(
        db=db, clock=clock, links=links, settings=settings, principal=principal, days=body.valid_days
    )


@router.delete(
    "/mine",
    operation_id="revokeRosterFeed",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke your calendar feed link (a lost phone); a new one can be issued at any time",
)
async def revoke_roster_feed(db: DbDep, principal: Owner) -> None:
    await feeds.revoke(db=db, principal=principal)


@router.get(
    "/{feed_token}/calendar.ics",
    operation_id="getRosterFeed",
    dependencies=[PUBLIC],
    response_class=CalendarResponse,
    summary="The shifts of the link's owner as iCalendar (RFC 5545), for a phone calendar's subscription",
    responses=FEED_PROBLEMS,
)
async def get_roster_feed(
    feed_token: FeedToken, db: DbDep, clock: ClockDep, links: LinksDep, settings: SettingsDep, runtime: RuntimeDep
) -> Any:
    assert isinstance(settings, DutySettings)
    link_id, feed = await feeds.feed_of(db=db, links=links, token=feed_token)
    runtime.rate_limits.admit(f"feed:{link_id}")
    body = await feeds.render(db=db, clock=clock, settings=settings, feed=feed)
    headers = {"Cache-Control": "private, max-age=900", "Content-Disposition": 'inline; filename="duty.ics"'}
    return CalendarResponse(content=body, headers=headers)
