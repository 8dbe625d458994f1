"""What a worker reads about a member (masked), and sends to keep their contact or issue a help link."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridline.http.bounds import CalendarDay, Instant
from pydantic import BaseModel, Field

from care import contacts
from care.contacts import ContactRead
from care.vocabulary import Group


class IsolationRead(BaseModel):
    measure: str
    starts_on: CalendarDay | None
    ends_on: CalendarDay | None


class MemberRead(BaseModel):
    person_id: str
    community_code: str
    grid_id: str
    name_masked: str | None
    phone_masked: str | None
    special_groups: list[str] = Field(description="as the registry records them")
    groups: list[str] = Field(description="the special groups, and home_isolated while a home measure runs")
    home_isolated: bool
    isolation: IsolationRead | None
    contact: ContactRead | None = Field(description="care's own contact for the member, masked")
    next_visits: dict[str, date] = Field(description="per group, the day the next visit falls due")
    status: str
    joined_at: Instant
    updated_at: Instant


class HelpLinkRead(BaseModel):
    person_id: str
    link_id: str
    token: str = Field(description="send as X-Link-Token to /v1/resident/help-requests")
    expires_at: Instant


def to_read(doc: dict[str, Any]) -> MemberRead:
    groups = doc.get("groups", [])
    return MemberRead(
        person_id=doc["_id"],
        community_code=doc["community_code"],
        grid_id=doc["grid_id"],
        name_masked=doc.get("name_masked"),
        phone_masked=doc.get("phone_masked"),
        special_groups=doc.get("special_groups", []),
        groups=groups,
        home_isolated=Group.HOME_ISOLATED.value in groups,
        isolation=IsolationRead.model_validate(doc["isolation"]) if doc.get("isolation") else None,
        contact=contacts.masked(doc.get("contact")),
        next_visits={g: date.fromisoformat(d) for g, d in (doc.get("visit_chains") or {}).items()},
        status=doc["status"],
        joined_at=doc["joined_at"],
        updated_at=doc["updated_at"],
    )
