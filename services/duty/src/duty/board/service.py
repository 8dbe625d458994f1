"""The public board of one community: assembled from duty's own data, with nothing personal on it."""

from __future__ import annotations

from gridline.clock import Clock
from gridline.http.pagination import PageParams
from gridline.mongo import Database

from duty.board import grids
from duty.board.models import PublicBoard
from duty.notices import service as notices
from duty.rosters import duty_now

FIRST_PAGE = PageParams(limit=50, cursor=None)


async def board(*, db: Database, clock: Clock, community_code: str) -> PublicBoard:
    now = clock.now()
    on_duty = await duty_now.on_duty(db=db, community_code=community_code, grid_id=None, at=now)
    grid_page = await grids.list_page(db=db, community_code=community_code, page=FIRST_PAGE)
    notice_page = await notices.in_force(
        db=db, community_code=community_code, at=now, page=PageParams(limit=20, cursor=None)
    )
    return PublicBoard(
        community_code=community_code,
        at=now,
        duty_phone=on_duty.duty_phone,
        on_duty=duty_now.public(on_duty),
        grids=grid_page.items,
        grids_next_cursor=grid_page.next_cursor,
        notices=notice_page.items,
    )
