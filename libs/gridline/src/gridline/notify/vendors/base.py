"""What every adapter gets and gives back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import httpx

from gridline.clock import Clock
from gridline.mongo import Database
from gridline.notify.settings import MessageTemplate, NotifySettings, Robot
from gridline.pii import Protector

Status = Literal["sent", "delivered", "retry", "failed"]


@dataclass(frozen=True)
class Outcome:
    status: Status
    vendor_message_id: str | None = None
    error: str | None = None
    status_code: int | None = None


@dataclass(frozen=True)
class Delivery:
    """The resources of one attempt."""

    db: Database
    clock: Clock
    protector: Protector
    settings: NotifySettings
    http: httpx.AsyncClient
    key: str


@dataclass(frozen=True)
class Text:
    """One SMS: the phone, the kind's template, its code at the vendor and its parameters."""

    phone: str
    template: MessageTemplate
    code: str
    params: dict[str, str]


@dataclass(frozen=True)
class Post:
    """One group-robot message."""

    robot: Robot
    text: str
    mentions: list[str]


def http_failure(exc: httpx.HTTPError) -> Outcome:
    """No answer (refused, reset, timed out): worth another attempt."""
    return Outcome("retry", error=f"{type(exc).__name__}")


def unexpected(response: httpx.Response) -> Outcome:
    """An answer that is not the vendor's JSON: a gateway or proxy in between; 5xx and 429 pass."""
    status: Status = "retry" if response.status_code >= 500 or response.status_code == 429 else "failed"
    return Outcome(status, error=f"HTTP {response.status_code}", status_code=response.status_code)
