from __future__ import annotations

from gridline.http.bounds import Instant
from pydantic import BaseModel, Field

from duty.notices.models import NoticeRead
from duty.rosters.models import OnDutyPublic


class GridContact(BaseModel):
    grid_id: str
    community_code: str
    name: str
    manager_name: str
    manager_work_phone: str | None = Field(description="the published work number, in full; null when none")


class PublicBoard(BaseModel):
    community_code: str
    at: Instant
    duty_phone: str | None = Field(description="the community duty desk's public number, in full")
    on_duty: OnDutyPublic
    grids: list[GridContact] = Field(description="the first page; `grids_next_cursor` pages on via listGridContacts")
    grids_next_cursor: str | None
    notices: list[NoticeRead] = Field(description="notices in force now (first page)")
