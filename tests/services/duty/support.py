"""Helpers for duty's integration tests: tokens, a roster, other services' events published as they will be."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from gridline.clock import Clock, FixedClock
from gridline.events import Event, EventData, EventSpec
from gridline.outbox import make_event
from gridline.testing import Received, Sandbox, Secrets
from registry.grids.events import CREATED as GRID_CREATED
from registry.grids.events import GridCreated

COUNTY = "330106"
TOWNSHIP = "330106001"
COMMUNITY = "330106001001"
OTHER_COMMUNITY = "330106001002"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday morning in Shanghai: shifts, days and report times are local.
MORNING = datetime(2021, 1, 12, 10, 0, tzinfo=SHANGHAI)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def clock_at(moment: datetime = MORNING) -> FixedClock:
    return FixedClock(moment.astimezone(UTC))


def admin(secrets: Secrets, jurisdiction: str = COMMUNITY, subject: str = "admin-1") -> dict[str, str]:
    return secrets.headers("community_admin", jurisdiction=jurisdiction, subject=subject)


def officer(secrets: Secrets, subject: str, jurisdiction: str = COMMUNITY) -> dict[str, str]:
    return secrets.headers("duty_officer", jurisdiction=jurisdiction, subject=subject)


def member(subject: str, name: str | None = None) -> dict[str, str]:
    return {"subject": subject, "name": name or f"值班员{subject}"}


def crew(duty_officer: str | None, leader: str | None) -> dict[str, Any]:
    return {
        "duty_officer": member(duty_officer) if duty_officer else None,
        "leader": member(leader, f"领导{leader}") if leader else None,
    }


def rotation_body(**overrides: Any) -> dict[str, Any]:
    """Day shifts 08:00-20:00 and night shifts 20:00-08:00 from 11 January 2021."""
    return {
        "community_code": COMMUNITY,
        "name": "一月值班表",
        "kind": "daily",
        "starts_on": "2021-01-11",
        "shift_starts": ["08:00", "20:00"],
        "crews": [crew("officer-a", "leader-a"), crew("officer-b", "leader-b")],
        **overrides,
    }


async def create_rotation(duty: httpx.AsyncClient, secrets: Secrets, **overrides: Any) -> dict[str, Any]:
    body = rotation_body(**overrides)
    response = await duty.post("/v1/rotations", json=body, headers=admin(secrets, body["community_code"]))
    assert response.status_code == 201, response.text
    rotation: dict[str, Any] = response.json()
    return rotation


async def publish(
    sandbox: Sandbox,
    spec: EventSpec,
    data: EventData,
    *,
    key: str,
    clock: Clock | None = None,
    event_id: str | None = None,
) -> Event:
    """Publish an event of another service as a raw record, the way its producer will."""
    event = make_event(
        spec,
        source="/gridline/test",
        key=key,
        data=data,
        clock=clock or FixedClock(datetime.now(UTC)),
        event_id=event_id,
    )
    record_key, value, headers = event.to_record()
    await sandbox.publish_raw(spec.topic, value=value, key=record_key, headers=headers)
    return event


async def publish_grid(
    sandbox: Sandbox, grid_id: str, *, community: str = COMMUNITY, work_phone: str | None = None
) -> None:
    data = GridCreated(
        grid_id=grid_id,
        version=1,
        community_code=community,
        name=f"{grid_id}网格",
        manager_name="张网格",
        manager_phone_masked="138****0001",
        covers_count=2,
        manager_work_phone=work_phone,
    )
    await publish(sandbox, GRID_CREATED, data, key=grid_id)


def of_type(records: list[Received], fact: str) -> list[Event]:
    """The events among `records` whose type ends in `.<fact>.v1`."""
    return [r.event() for r in records if r.event().type.endswith(f".{fact}.v1")]


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.body)
        return payload


@dataclass
class Receiver:
    """The provincial platform's webhook on loopback: answers with `answers` in turn, then 200."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, delivery: Delivery) -> int:
        with self.lock:
            self.received.append(delivery)
            return self.answers.pop(0) if self.answers else 200

    def deliveries(self) -> list[Delivery]:
        with self.lock:
            return list(self.received)


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = state.take(Delivery(self.path, dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/province/daily-reports"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
