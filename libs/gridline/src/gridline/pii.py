"""Protection of sensitive personal data: encryption at rest, keyed hashes for lookup, masking for lists."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class PiiError(ValueError):
    """A sealed value that cannot be opened with the keys we hold."""


class Protector:
    """AES-256-GCM with key ids (so keys can rotate) and an HMAC-SHA256 keyed hash for exact-match lookups."""

    def __init__(self, *, keys: dict[str, bytes], current_key_id: str, hash_key: bytes) -> None:
        if current_key_id not in keys:
            raise ValueError("current encryption key id has no key")
        for kid, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"encryption key {kid} must be 32 bytes")
        if len(hash_key) < 32:
            raise ValueError("hash key must be at least 32 bytes")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self._current = current_key_id
        self._hash_key = hash_key

    def seal(self, plaintext: str, *, context: str) -> dict[str, Any]:
        """Encrypt; `context` (the field name) is bound as associated data, so values cannot be swapped."""
        nonce = os.urandom(12)
        sealed = self._keys[self._current].encrypt(nonce, plaintext.encode(), context.encode())
        return {"kid": self._current, "nonce": _b64(nonce), "ct": _b64(sealed)}

    def open(self, sealed: dict[str, Any], *, context: str) -> str:
        aead = self._keys.get(sealed.get("kid", ""))
        if aead is None:
            raise PiiError("no key for this value")
        try:
            plain = aead.decrypt(_unb64(sealed["nonce"]), _unb64(sealed["ct"]), context.encode())
        except Exception as exc:
            raise PiiError("value cannot be decrypted") from exc
        return plain.decode()

    def keyed_hash(self, value: str, *, context: str) -> str:
        return hmac.new(self._hash_key, f"{context}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def mask_document_number(number: str) -> str:
    """`110105********002X`: keep the region and the last four, as the API conventions show."""
    if len(number) <= 6:
        return "*" * len(number)
    if len(number) >= 14:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def mask_phone(phone: str) -> str:
    """`138****1234`."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """`张*明` / `李*`: enough for a worker to recognise, not enough to identify from a list."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)
