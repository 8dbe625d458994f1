"""Signed webhook deliveries, made from a stored job, with every attempt written to a delivery log.

One call is one attempt: the job runner owns retries and backoff, so a delivery survives restarts and is
made by one replica at a time. The receiver sees `X-Delivery-Id` (stable across attempts) to drop repeats,
since a runner that dies after the POST but before marking the job done makes the same delivery again.
The log keeps outcome, status code and capped error text; never the payload.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from pydantic import SecretStr

from gridline import logs, signatures
from gridline.clock import Clock
from gridline.events import dumps
from gridline.mongo import ASCENDING, Database, Index

log = logging.getLogger(__name__)

COLLECTION = "webhook_deliveries"
INDEXES = [Index(COLLECTION, (("delivery_id", ASCENDING), ("attempt", ASCENDING)))]
DELIVERY_HEADER = "X-Delivery-Id"


class Outcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class Endpoint:
    """Where deliveries go and the key they are signed with."""

    url: str
    key_id: str
    secret: bytes
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Attempt:
    delivery_id: str
    attempt: int
    outcome: Outcome
    status_code: int | None
    error: str | None


class DeliveryFailed(Exception):
    """The receiver did not take the delivery (a non-2xx answer or unreachable); the job retries it."""


async def deliver(
    *,
    db: Database,
    clock: Clock,
    endpoint: Endpoint | None,
    delivery_id: str,
    attempt: int,
    payload: dict[str, Any],
    tags: dict[str, Any],
) -> Attempt:
    """POST `payload` signed to `endpoint` once and log the attempt; `tags` are stored for finding it later."""
    started, attempted_at = time.monotonic(), clock.now()
    if endpoint is None:
        result = Attempt(delivery_id, attempt, Outcome.NOT_CONFIGURED, None, "no webhook configured")
    else:
        result = await _post(endpoint, delivery_id, attempt, dumps(payload), clock)
    record = {
        "delivery_id": delivery_id,
        "attempt": attempt,
        "outcome": result.outcome.value,
        "status_code": result.status_code,
        "error": result.error,
        "attempted_at": attempted_at,
        "duration_ms": round((time.monotonic() - started) * 1000),
        "tags": tags,
    }
    # Keyed by delivery and attempt, so a job re-run after a crash rewrites its own line instead of adding one.
    await db[COLLECTION].replace_one({"_id": f"{delivery_id}#{attempt:03d}"}, record, upsert=True)
    log.info("webhook delivery %s attempt %d: %s %s", delivery_id, attempt, result.outcome, result.status_code)
    return result


async def _post(endpoint: Endpoint, delivery_id: str, attempt: int, body: bytes, clock: Clock) -> Attempt:
    url = httpx.URL(endpoint.url)
    headers = {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery_id,
        **signatures.signed_headers(
            client_id=endpoint.key_id,
            secret=endpoint.secret,
            timestamp=int(clock.now().timestamp()),
            method="POST",
            target=url.raw_path.decode("ascii"),
            body=body,
        ),
    }
    try:
        # Redirects are not followed: a signature covers one target, and a moved receiver is a configuration fix.
        async with httpx.AsyncClient(timeout=endpoint.timeout_seconds, follow_redirects=False) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Attempt(delivery_id, attempt, Outcome.FAILED, None, logs.error_text(exc))
    if response.is_success:
        return Attempt(delivery_id, attempt, Outcome.DELIVERED, response.status_code, None)
    return Attempt(delivery_id, attempt, Outcome.FAILED, response.status_code, f"HTTP {response.status_code}")


def configured_endpoint(
    *, name: str, url: str | None, key_id: str, secret: SecretStr | None, production: bool
) -> Endpoint | None:
    """The webhook a service is configured to push to (settings `<name>_url`, `_key_id`, `_secret`), or None.

    Raises ValueError naming the setting when the configuration cannot sign or reach it: a URL that is
    not http(s) (https in production), or a secret missing, not base64 or shorter than MIN_SECRET_BYTES.
    """
    if not url:
        return None
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"{name}_url must be an http(s) URL")
    if production and not url.startswith("https://"):
        raise ValueError(f"{name}_url must use https in production")
    if secret is None:
        raise ValueError(f"{name}_secret is required when {name}_url is set")
    try:
        raw = base64.b64decode(secret.get_secret_value(), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{name}_secret must be base64") from exc
    if len(raw) < signatures.MIN_SECRET_BYTES:
        raise ValueError(f"{name}_secret must be at least {signatures.MIN_SECRET_BYTES} bytes")
    return Endpoint(url=url, key_id=key_id, secret=raw)
