"""Signed, expiring links for residents: one subject, one purpose, no account and no ID number typed.

A link carries an HS256 token signed with a key derived from the service's hash key (so operators manage no
extra secret), naming its purpose (`self_checkin`, `help_request` …), the record it is scoped to, and when it
expires. Expiry is checked against the injectable clock, so tests move time instead of sleeping. Whether
the record behind a valid link still allows the action (a plan that ended) is the service's own rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gridline.clock import Clock

_ALGORITHM = "HS256"


class LinkError(Exception):
    """A link that cannot be used; `reason` is `invalid` (tampered, wrong purpose) or `expired`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class LinkClaims:
    link_id: str
    purpose: str
    subject: str
    scope: dict[str, str]
    expires_at: datetime


class LinkSigner:
    """Issues and verifies one service's resident links."""

    def __init__(self, *, hash_key: bytes, service: str, clock: Clock) -> None:
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=f"gridline/links/v1/{service}".encode()
        ).derive(hash_key)
        self._issuer = service
        self._clock = clock

    def issue(self, *, purpose: str, subject: str, scope: dict[str, str], expires_at: datetime) -> tuple[str, str]:
        """A token for `subject` (e.g. a person id) and `purpose`, valid until `expires_at`; returns (id, token)."""
        link_id = uuid.uuid4().hex
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "jti": link_id,
            "pur": purpose,
            "sub": subject,
            "scp": scope,
            "exp": int(expires_at.timestamp()),
        }
        return link_id, jwt.encode(claims, self._key, algorithm=_ALGORITHM)

    def verify(self, token: str, *, purpose: str) -> LinkClaims:
        """The claims of a genuine, unexpired link for `purpose`; LinkError otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                issuer=self._issuer,
                options={"verify_exp": False, "require": ["exp", "sub", "jti", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise LinkError("invalid", "this link is not valid") from exc
        if claims.get("pur") != purpose or not isinstance(claims.get("scp"), dict):
            raise LinkError("invalid", "this link is not valid for this action")
        expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
        if self._clock.now() >= expires_at:
            raise LinkError("expired", "this link has expired")
        scope = {str(k): str(v) for k, v in claims["scp"].items()}
        return LinkClaims(claims["jti"], purpose, str(claims["sub"]), scope, expires_at)
