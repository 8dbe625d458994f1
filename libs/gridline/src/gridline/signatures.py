"""Signed requests between machines: an HMAC-SHA256 over time, method, target and body, with a replay window.

The string to sign is `f"{timestamp}\\n{METHOD}\\n{target}\\n{sha256 hex of the raw body}"`, where `target`
is the path as sent (percent-encoded) plus `?query` when there is one. The hex HMAC goes in `X-Signature`,
the key id in `X-Client-Id` and the unix seconds in `X-Timestamp`. A request is accepted once: its signature
is remembered until its timestamp leaves the window, so a replay is refused. A sender that retries signs
again with a fresh timestamp; idempotency of the operation itself is the receiver's business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol, runtime_checkable

from fastapi import Depends, Request
from pydantic import SecretStr

from gridline.clock import Clock
from gridline.http.deps import RuntimeDep
from gridline.http.problems import Problem
from gridline.mongo import ASCENDING, Database, DuplicateKeyError, Index

CLIENT_HEADER = "X-Client-Id"
TIMESTAMP_HEADER = "X-Timestamp"
SIGNATURE_HEADER = "X-Signature"
SEEN = "seen_signatures"
INDEXES = [Index(SEEN, (("expires_at", ASCENDING),))]
MIN_SECRET_BYTES = 32
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HEX_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")
_CHALLENGE = {"WWW-Authenticate": 'HMAC-SHA256 realm="gridline"'}


class SignatureError(Exception):
    """The request is not authentically from a known client, or not fresh; the message is safe to return."""


@dataclass(frozen=True)
class Verified:
    client_id: str
    signature: str
    timestamp: int


def parse_clients(text: str) -> dict[str, bytes]:
    """`client_id:base64secret[,client_id:base64secret]` to a mapping; ValueError naming the bad part."""
    clients: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        client_id, _, encoded = part.partition(":")
        if not _CLIENT_ID.match(client_id) or client_id in clients:
            raise ValueError(f"client id {client_id!r} is malformed or repeated")
        try:
            secret = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"secret of client {client_id} is not base64") from exc
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"secret of client {client_id} must be at least {MIN_SECRET_BYTES} bytes")
        clients[client_id] = secret
    return clients


def string_to_sign(*, timestamp: int, method: str, target: str, body: bytes) -> bytes:
    return f"{timestamp}\n{method.upper()}\n{target}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(*, secret: bytes, timestamp: int, method: str, target: str, body: bytes) -> str:
    message = string_to_sign(timestamp=timestamp, method=method, target=target, body=body)
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_headers(
    *, client_id: str, secret: bytes, timestamp: int, method: str, target: str, body: bytes
) -> dict[str, str]:
    """The three headers that authenticate one request."""
    signature = sign(secret=secret, timestamp=timestamp, method=method, target=target, body=body)
    return {CLIENT_HEADER: client_id, TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature}


def verify(
    *,
    clients: Mapping[str, bytes],
    headers: Mapping[str, str],
    method: str,
    target: str,
    body: bytes,
    now: datetime,
    window: timedelta,
) -> Verified:
    """Check who signed and when; raise SignatureError. Does not check for replays (see `remember`)."""
    client_id, stamp = headers.get(CLIENT_HEADER, ""), headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "").lower()
    if not (client_id and stamp and signature):
        raise SignatureError(f"{CLIENT_HEADER}, {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required")
    if not stamp.isdigit() or len(stamp) > 12:
        raise SignatureError(f"{TIMESTAMP_HEADER} must be unix seconds")
    timestamp = int(stamp)
    if abs(now.timestamp() - timestamp) > window.total_seconds():
        raise SignatureError(f"{TIMESTAMP_HEADER} is outside the allowed window of {int(window.total_seconds())} s")
    # An unknown client and a wrong signature get the same answer, so client ids cannot be probed.
    secret = clients.get(client_id)
    expected = sign(secret=secret or b"", timestamp=timestamp, method=method, target=target, body=body)
    if secret is None or not _HEX_SIGNATURE.match(signature) or not hmac.compare_digest(expected, signature):
        raise SignatureError("the request signature is not valid")
    return Verified(client_id, signature, timestamp)


async def remember(*, db: Database, clock: Clock, verified: Verified, window: timedelta) -> bool:
    """Record a signature as used; False when it was already used (a replay)."""
    now = clock.now()
    # FerretDB has no TTL indexes: expired entries are purged here, on write, which bounds the collection
    # by the traffic of one window.
    await db[SEEN].delete_many({"expires_at": {"$lt": now}})
    expires_at = datetime.fromtimestamp(verified.timestamp, UTC) + window
    try:
        await db[SEEN].insert_one(
            {"_id": f"{verified.client_id}:{verified.signature}", "expires_at": expires_at, "seen_at": now}
        )
    except DuplicateKeyError:
        return False
    return True


@runtime_checkable
class SigningSettings(Protocol):
    """What a service's settings must carry to accept signed requests."""

    integration_clients: SecretStr
    signature_window_seconds: int


def request_target(request: Request) -> str:
    """The path as the client sent it (percent-encoded), with the query string when there is one."""
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query: bytes = request.scope.get("query_string", b"")
    return (raw + b"?" + query).decode("latin-1") if query else raw.decode("latin-1")


async def signed_client(request: Request, runtime: RuntimeDep) -> str:
    """Authenticate a machine client from the settings' keys; the caller's client id, or a 401."""
    settings = runtime.settings
    if not isinstance(settings, SigningSettings):
        raise TypeError("this service's settings do not configure signed clients")
    window = timedelta(seconds=settings.signature_window_seconds)
    try:
        verified = verify(
            clients=parse_clients(settings.integration_clients.get_secret_value()),
            headers=request.headers,
            method=request.method,
            target=request_target(request),
            body=await request.body(),
            now=runtime.clock.now(),
            window=window,
        )
    except SignatureError as exc:
        raise Problem(401, str(exc), type_="/problems/bad-signature", headers=_CHALLENGE) from exc
    runtime.rate_limits.admit(f"client:{verified.client_id}")  # before remembering: a refused request may be retried
    if not await remember(db=runtime.database(), clock=runtime.clock, verified=verified, window=window):
        raise Problem(401, "this signed request was already received", type_="/problems/replay", headers=_CHALLENGE)
    return verified.client_id


SignedRequest = Annotated[str, Depends(signed_client)]
