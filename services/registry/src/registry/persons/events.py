"""Events about persons, owned here; consumers keep their own tolerant copies."""

from __future__ import annotations

from datetime import date, datetime

from gridline.events import EventData, EventSpec, event_type

TOPIC = "registry.person.v1"


class PersonRegistered(EventData):
    person_id: str
    version: int
    community_code: str
    grid_id: str
    name_masked: str
    document_type: str
    document_masked: str
    phone_masked: str | None
    special_groups: list[str]
    categories: list[str]
    registered_at: datetime


class StageData(EventData):
    measure: str
    starts_on: date
    ends_on: date


class PersonClassified(EventData):
    """Which measure applies and why: rule set, version, rule and the inputs it looked at."""

    person_id: str
    version: int
    community_code: str
    grid_id: str
    measure: str
    previous_measure: str | None
    rule_set_id: str
    rule_set_version: int
    rule_id: str | None
    episode_id: str | None
    starts_on: date | None
    ends_on: date | None
    stages: list[StageData]
    nat_dates: list[date]
    inputs: dict[str, str | int | None]
    special_groups: list[str]
    classified_at: datetime


REGISTERED = EventSpec(
    TOPIC,
    event_type("registry", "person", "registered"),
    PersonRegistered,
    "A person was registered in a community.",
)
CLASSIFIED = EventSpec(
    TOPIC,
    event_type("registry", "person", "classified"),
    PersonClassified,
    "A person's management measure was set or changed by the rule set in force.",
)


class PersonUpdated(EventData):
    person_id: str
    version: int
    community_code: str
    grid_id: str
    changed: list[str]
    name_masked: str
    phone_masked: str | None
    special_groups: list[str]
    status: str
    merged_into: str | None = None


class PersonTransferred(EventData):
    person_id: str
    version: int
    from_community_code: str
    from_grid_id: str
    community_code: str
    grid_id: str
    reason: str


class PersonMerged(EventData):
    person_id: str
    version: int
    merged_person_id: str
    community_code: str
    grid_id: str
    special_groups: list[str]


UPDATED = EventSpec(
    TOPIC,
    event_type("registry", "person", "updated"),
    PersonUpdated,
    "A person's details changed (masked values only); `changed` names the fields.",
)
TRANSFERRED = EventSpec(
    TOPIC,
    event_type("registry", "person", "transferred"),
    PersonTransferred,
    "A person moved to another community or grid, keeping their state.",
)
MERGED = EventSpec(
    TOPIC,
    event_type("registry", "person", "merged"),
    PersonMerged,
    "Two records turned out to be one person; the duplicate's history now lives here.",
)
