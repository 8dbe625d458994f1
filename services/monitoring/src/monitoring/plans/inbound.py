"""Monitoring's own tolerant copy of the registry events it consumes (unknown fields ignored)."""

from __future__ import annotations

from datetime import date

from gridline.events import InboundData, event_type
from pydantic import Field

PERSON_TOPIC = "registry.person.v1"
PERSON_CLASSIFIED = event_type("registry", "person", "classified")
PERSON_TRANSFERRED = event_type("registry", "person", "transferred")
PERSON_UPDATED = event_type("registry", "person", "updated")
PERSON_MERGED = event_type("registry", "person", "merged")
PERSON_REGISTERED = event_type("registry", "person", "registered")


class Stage(InboundData):
    measure: str
    starts_on: date
    ends_on: date


class PersonClassified(InboundData):
    person_id: str
    version: int
    community_code: str
    grid_id: str
    measure: str
    rule_set_id: str
    rule_set_version: int
    rule_id: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    stages: list[Stage] = Field(default_factory=list)
    nat_dates: list[date] = Field(default_factory=list)


class PersonTransferred(InboundData):
    person_id: str
    version: int
    community_code: str
    grid_id: str


class PersonUpdated(InboundData):
    person_id: str
    version: int
    status: str
    name_masked: str | None = None


class PersonRegistered(InboundData):
    person_id: str
    name_masked: str


class PersonMerged(InboundData):
    person_id: str
    version: int
    merged_person_id: str
    community_code: str
    grid_id: str
