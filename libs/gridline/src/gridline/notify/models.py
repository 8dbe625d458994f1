"""What callers of `gridline.notify` hand in and get back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    SMS = "sms"
    ROBOT = "robot"


class State(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


FINAL = frozenset({State.SENT, State.DELIVERED, State.FAILED})


@dataclass(frozen=True)
class Phone:
    """A text to one mobile number (11 digits, 1[3-9]...)."""

    number: str


@dataclass(frozen=True)
class Group:
    """A post to the duty group of a community or township (a 12- or 9-digit division code), through the
    robot `notify_robots` configures for it; `mention_phones` are @-mentioned where the robot can."""

    division_code: str
    mention_phones: tuple[str, ...] = field(default_factory=tuple)


Recipient = Phone | Group


@dataclass(frozen=True)
class Queued:
    key: str
    state: State
    created: bool


@dataclass(frozen=True)
class MessageRead:
    key: str
    kind: str
    channel: Channel
    vendor: str
    community_code: str
    recipient: str  # masked phone, or the division code of the group
    state: State
    attempts: int
    error: str | None
    vendor_message_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Failure:
    """A message that failed for good, as the service's `on_failed` hook receives it."""

    key: str
    kind: str
    channel: Channel
    vendor: str
    community_code: str
    recipient: str
    error: str
    attempts: int


class NotifyError(Exception):
    """A message that cannot be queued."""


class NotConfigured(NotifyError):
    """No vendor, robot or template is configured for this message."""


class DailyCapReached(NotifyError):
    """The phone had its day's texts; `retry_after` seconds until the next Asia/Shanghai day."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
