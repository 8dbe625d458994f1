"""JWT verification against the configured issuer's public keys (a JWKS file or URL)."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import jwt

from gridline.auth.principal import Principal, Role, valid_jurisdiction

ALGORITHMS = ["ES256", "RS256"]
LEEWAY_SECONDS = 30
REMEMBERED = 10_000
_KNOWN_ROLES = {r.value for r in Role}


class TokenError(Exception):
    """The bearer token is missing, malformed, expired, or not from our issuer."""


class TokenVerifier:
    def __init__(self, *, jwks: str, issuer: str, audience: str) -> None:
        self._issuer = issuer
        self._audience = audience
        # Tokens already verified, until they expire: a worker's phone sends the same token all day, and
        # checking its signature again is a tenth of a check-in's time. The key is the whole token, signature
        # included, so only the very token verified is let through.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        if jwks.startswith(("https://", "http://")):
            self._client: jwt.PyJWKClient | None = jwt.PyJWKClient(jwks, cache_keys=True, lifespan=300)
            self._keys: dict[str, Any] = {}
        else:
            self._client = None
            data = json.loads(Path(jwks).read_text())
            self._keys = {k["kid"]: jwt.PyJWK(k).key for k in data["keys"]}

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            self._verified.move_to_end(token)
            return known[0]
        principal = self._verify_signed(token)
        self._verified[token] = (principal, float(principal.claims["exp"]) + LEEWAY_SECONDS)
        if len(self._verified) > REMEMBERED:
            self._verified.popitem(last=False)
        return principal

    def _verify_signed(self, token: str) -> Principal:
        try:
            key = self._signing_key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
                leeway=LEEWAY_SECONDS,
            )
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise TokenError(str(exc)[:200]) from exc
        return _principal(claims)

    def _signing_key(self, token: str) -> Any:
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        kid = jwt.get_unverified_header(token).get("kid")
        if kid not in self._keys:
            raise TokenError("unknown signing key")
        return self._keys[kid]


def _principal(claims: dict[str, Any]) -> Principal:
    roles = claims.get("roles", [])
    jurisdiction = claims.get("jurisdiction", "")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise TokenError("roles claim must be a list of strings")
    if not isinstance(jurisdiction, str) or not valid_jurisdiction(jurisdiction):
        raise TokenError("jurisdiction claim must be a division-code prefix or grid:<id>")
    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(r for r in roles if r in _KNOWN_ROLES),
        jurisdiction=jurisdiction,
        claims=claims,
    )
