"""Development secrets: a local token-signing key and personal-data keys, made once per checkout."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from gridline.auth.issuer import JWKS_FILE, make_keys


def ensure(directory: Path) -> dict[str, str]:
    """Environment variables carrying the local secrets; generated on first use, kept in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    auth = directory / "auth"
    if not (auth / JWKS_FILE).exists():
        make_keys(auth)
    keys_file = directory / "pii-keys.json"
    if not keys_file.exists():
        keys = {"current": "k1", "k1": _random_key(32), "hash": _random_key(32)}
        keys_file.write_text(json.dumps(keys))
        keys_file.chmod(0o600)
    keys = json.loads(keys_file.read_text())
    return {
        "AUTH_JWKS": str(auth / JWKS_FILE),
        "AUTH_ISSUER": "gridline-local",
        "AUTH_AUDIENCE": "gridline",
        "PII_ENCRYPTION_KEYS": f"{keys['current']}:{keys[keys['current']]}",
        "PII_CURRENT_KEY_ID": keys["current"],
        "PII_HASH_KEY": keys["hash"],
        **_integration(directory),
        **_web(directory),
    }


def _integration(directory: Path) -> dict[str, str]:
    """Keys of the signed machine-to-machine calls: a local provincial platform and the report-back webhook.

    Kept in their own file so checkouts whose personal-data keys predate them keep those keys.
    """
    keys_file = directory / "integration-keys.json"
    if not keys_file.exists():
        keys_file.write_text(json.dumps({"province": _random_key(32), "report": _random_key(32)}))
        keys_file.chmod(0o600)
    keys = json.loads(keys_file.read_text())
    return {
        "INTEGRATION_CLIENTS": f"provincial-platform:{keys['province']}",
        "ASSIST_REPORT_SECRET": keys["report"],
    }


def _web(directory: Path) -> dict[str, str]:
    """The pages' session-signing key, and the folder of the local issuer's key for the demo users' sign-in."""
    key_file = directory / "web-session-key"
    if not key_file.exists():
        key_file.write_text(_random_key(32))
        key_file.chmod(0o600)
    return {"SESSION_SECRET": key_file.read_text().strip(), "DEV_SIGNIN_KEYS": str(directory / "auth")}


def _random_key(size: int) -> str:
    return base64.b64encode(os.urandom(size)).decode()
