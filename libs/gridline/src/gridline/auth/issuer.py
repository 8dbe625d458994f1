"""A local issuer for development and tests: an ES256 key pair, its JWKS, and tokens signed with it."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

PRIVATE_KEY_FILE = "signing-key.pem"
JWKS_FILE = "jwks.json"


def make_keys(directory: Path) -> Path:
    """Write a new signing key and its public JWKS into `directory`; return the JWKS path."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    private_path = directory / PRIVATE_KEY_FILE
    private_path.write_bytes(pem)
    private_path.chmod(0o600)
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": uuid.uuid4().hex[:16], "use": "sig", "alg": "ES256"})
    jwks_path = directory / JWKS_FILE
    jwks_path.write_text(json.dumps({"keys": [jwk]}, indent=2))
    return jwks_path


def issue_token(
    directory: Path,
    *,
    subject: str,
    roles: list[str],
    jurisdiction: str,
    issuer: str,
    audience: str,
    ttl_seconds: int = 8 * 3600,
    extra: dict[str, Any] | None = None,
) -> str:
    key = (directory / PRIVATE_KEY_FILE).read_bytes()
    kid = json.loads((directory / JWKS_FILE).read_text())["keys"][0]["kid"]
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": now,
        "exp": now + ttl_seconds,
        "roles": roles,
        "jurisdiction": jurisdiction,
        **(extra or {}),
    }
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})
