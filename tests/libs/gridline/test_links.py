"""Resident links: scoped to one subject and purpose, expiring by the injectable clock, tamper-evident."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta

import pytest
from gridline.clock import FixedClock
from gridline.links import LinkError, LinkSigner
from gridline.qr import png, svg

KEY = os.urandom(32)
START = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


def signer(clock: FixedClock, *, service: str = "monitoring", key: bytes = KEY) -> LinkSigner:
    return LinkSigner(hash_key=key, service=service, clock=clock)


def test_a_link_verifies_for_its_purpose_until_it_expires() -> None:
    clock = FixedClock(START)
    link_id, token = signer(clock).issue(
        purpose="self_checkin", subject="person-1", scope={"plan_id": "p1"}, expires_at=START + timedelta(days=1)
    )
    claims = signer(clock).verify(token, purpose="self_checkin")
    assert (claims.link_id, claims.subject, claims.scope) == (link_id, "person-1", {"plan_id": "p1"})
    clock.advance(timedelta(days=1))
    with pytest.raises(LinkError) as expired:
        signer(clock).verify(token, purpose="self_checkin")
    assert expired.value.reason == "expired"


def test_a_link_for_another_purpose_service_or_key_is_refused() -> None:
    clock = FixedClock(START)
    _, token = signer(clock).issue(purpose="self_checkin", subject="p", scope={}, expires_at=START + timedelta(hours=1))
    others = [
        (signer(clock), "help_request"),
        (signer(clock, service="care"), "self_checkin"),
        (signer(clock, key=os.urandom(32)), "self_checkin"),
    ]
    for verifier, purpose in others:
        with pytest.raises(LinkError) as refused:
            verifier.verify(token, purpose=purpose)
        assert refused.value.reason == "invalid"


def test_a_tampered_link_is_refused() -> None:
    clock = FixedClock(START)
    _, token = signer(clock).issue(purpose="p", subject="person-1", scope={}, expires_at=START + timedelta(hours=1))
    header, payload, signature = token.split(".")
    forged = base64.urlsafe_b64decode(payload + "==").replace(b"person-1", b"person-2")
    forged_token = ".".join([header, base64.urlsafe_b64encode(forged).decode().rstrip("="), signature])
    with pytest.raises(LinkError):
        signer(clock).verify(forged_token, purpose="p")
    with pytest.raises(LinkError):
        signer(clock).verify(token[:-2], purpose="p")


def test_qr_codes_come_as_svg_and_png() -> None:
    assert svg("https://example.org/c/abc").lstrip().startswith("<svg")
    assert png("https://example.org/c/abc").startswith(b"\x89PNG\r\n\x1a\n")
