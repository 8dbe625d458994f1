"""Deadlines, configuration and Open311 clients (pure)."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from care.open311.clients import client_for, parse_open311_clients
from care.open311.service import landing_community
from care.requests.documents import deadlines
from care.requests.intake import more_pressing
from care.settings import CareSettings, Deadline
from care.vocabulary import Priority
from gridline.auth import Principal, Role
from gridline.errors import Invalid
from pydantic import ValidationError

OPENED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
KEY = "community-kiosk-key-0123456789abcd"


def settings(**overrides: Any) -> CareSettings:
    secrets: dict[str, Any] = {
        "auth_jwks": "/dev/null",
        "pii_encryption_keys": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "pii_current_key_id": "k1",
        "pii_hash_key": base64.b64encode(os.urandom(32)).decode(),
    }
    return CareSettings(**{**secrets, **overrides})


def test_urgent_medicine_is_acknowledged_within_30_minutes_and_fulfilled_within_4_hours_by_default() -> None:
    deadline = settings().deadline("medicine", "urgent")
    assert deadlines(deadline, opened_at=OPENED, needed_by=None) == (
        OPENED + timedelta(minutes=30),
        OPENED + timedelta(hours=4),
    )


def test_a_type_and_priority_entry_wins_over_the_priority_default() -> None:
    configured = settings(
        response_deadlines={
            "urgent": {"acknowledge_minutes": 60, "fulfil_minutes": 600},
            "high": {"acknowledge_minutes": 60, "fulfil_minutes": 600},
            "normal": {"acknowledge_minutes": 60, "fulfil_minutes": 600},
            "low": {"acknowledge_minutes": 60, "fulfil_minutes": 600},
            "escort:urgent": {"acknowledge_minutes": 10, "fulfil_minutes": 90},
        }
    )
    assert configured.deadline("escort", "urgent").acknowledge_minutes == 10
    assert configured.deadline("shopping", "urgent").acknowledge_minutes == 60


def test_a_deadline_table_missing_a_priority_or_naming_nonsense_is_refused() -> None:
    with pytest.raises(ValidationError, match="missing: low"):
        settings(
            response_deadlines={
                p: {"acknowledge_minutes": 1, "fulfil_minutes": 2} for p in ("urgent", "high", "normal")
            }
        )
    with pytest.raises(ValidationError, match="neither a priority"):
        settings(response_deadlines={"teleport:urgent": {"acknowledge_minutes": 1, "fulfil_minutes": 2}})
    with pytest.raises(ValidationError):
        Deadline(acknowledge_minutes=60, fulfil_minutes=30)


def test_a_resident_needing_it_sooner_brings_the_fulfil_deadline_forward_but_not_before_acknowledging() -> None:
    deadline = Deadline(acknowledge_minutes=30, fulfil_minutes=240)
    soon = OPENED + timedelta(hours=1)
    too_soon = OPENED + timedelta(minutes=5)

    assert deadlines(deadline, opened_at=OPENED, needed_by=soon)[1] == soon
    assert deadlines(deadline, opened_at=OPENED, needed_by=too_soon)[1] == OPENED + timedelta(minutes=30)
    assert deadlines(deadline, opened_at=OPENED, needed_by=OPENED + timedelta(days=2))[1] == OPENED + timedelta(hours=4)


def test_the_more_pressing_priority_wins() -> None:
    assert more_pressing(Priority.NORMAL, Priority.URGENT) is Priority.URGENT
    assert more_pressing(Priority.HIGH, Priority.LOW) is Priority.HIGH


def test_open311_clients_are_parsed_and_found_by_key_only() -> None:
    clients = parse_open311_clients(f"kiosk:330106001001:{KEY}, app:330106:{'k' * 30}")

    assert [c.client_id for c in clients] == ["kiosk", "app"]
    found = client_for(clients, KEY)
    assert found is not None
    assert found.jurisdiction == "330106001001"
    assert client_for(clients, "guess") is None
    for bad in (f"kiosk:3301:{'short'}", f"kiosk:33010600100:{KEY}", f"a:330106:{KEY},a:330106:{KEY}"):
        with pytest.raises(ValueError, match="Open311 client"):
            parse_open311_clients(bad)


def test_an_open311_report_lands_in_the_named_community_inside_the_clients_area() -> None:
    township = Principal(
        subject="open311:app", roles=frozenset({Role.INTEGRATION}), jurisdiction="330106001", claims={}
    )
    kiosk = Principal(
        subject="open311:kiosk", roles=frozenset({Role.INTEGRATION}), jurisdiction="330106001001", claims={}
    )

    assert landing_community(kiosk, None) == "330106001001"
    assert landing_community(township, "330106001002") == "330106001002"
    for client, named in ((township, None), (township, "330106002001"), (kiosk, "330106001002"), (township, "3301")):
        with pytest.raises(Invalid):
            landing_community(client, named)
