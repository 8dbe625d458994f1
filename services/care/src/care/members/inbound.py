"""Care's own tolerant copy of the registry person events: only the fields membership needs."""

from __future__ import annotations

from datetime import date

from gridline.events import InboundData, event_type
from pydantic import Field

PERSON_TOPIC = "registry.person.v1"
PERSON_REGISTERED = event_type("registry", "person", "registered")
PERSON_CLASSIFIED = event_type("registry", "person", "classified")
PERSON_UPDATED = event_type("registry", "person", "updated")
PERSON_TRANSFERRED = event_type("registry", "person", "transferred")
PERSON_MERGED = event_type("registry", "person", "merged")


class PersonRegistered(InboundData):
    person_id: str
    version: int
    community_code: str
    grid_id: str
    name_masked: str
    phone_masked: str | None = None
    special_groups: list[str] = Field(default_factory=list)


class PersonClassified(InboundData):
    person_id: str
    version: int
    community_code: str
    grid_id: str
    measure: str
    starts_on: date | None = None
    ends_on: date | None = None
    special_groups: list[str] = Field(default_factory=list)


class PersonUpdated(InboundData):
    person_id: str
    version: int
    community_code: str
    grid_id: str
    name_masked: str
    phone_masked: str | None = None
    special_groups: list[str] = Field(default_factory=list)
    status: str = "active"


class PersonTransferred(InboundData):
    person_id: str
    version: int
    community_code: str
    grid_id: str


class PersonMerged(InboundData):
    person_id: str
    version: int
    community_code: str
    grid_id: str
    special_groups: list[str] = Field(default_factory=list)
