"""Sensitive fields: sealed at rest, bound to their field, hashed for lookup, masked in lists."""

from __future__ import annotations

import os

import pytest
from gridline.pii import PiiError, Protector, mask_document_number, mask_name, mask_phone


def protector(current: str = "k1", keys: dict[str, bytes] | None = None) -> Protector:
    return Protector(keys=keys or {"k1": b"1" * 32}, current_key_id=current, hash_key=b"h" * 32)


def test_a_sealed_value_opens_only_for_its_own_field() -> None:
    sealed = protector().seal("11010519491231002X", context="person.document")

    assert "11010519491231002X" not in repr(sealed)
    assert protector().open(sealed, context="person.document") == "11010519491231002X"
    with pytest.raises(PiiError):
        protector().open(sealed, context="person.phone")


def test_old_values_still_open_after_the_key_rotates() -> None:
    old = protector().seal("13812341234", context="p")
    rotated = protector(current="k2", keys={"k1": b"1" * 32, "k2": os.urandom(32)})

    assert rotated.open(old, context="p") == "13812341234"
    assert rotated.seal("x", context="p")["kid"] == "k2"


def test_keyed_hashes_match_for_the_same_value_and_differ_by_context() -> None:
    p = protector()
    assert p.keyed_hash("a", context="doc") == p.keyed_hash("a", context="doc")
    assert p.keyed_hash("a", context="doc") != p.keyed_hash("a", context="phone")
    assert p.keyed_hash("a", context="doc") != Protector(
        keys={"k1": b"1" * 32}, current_key_id="k1", hash_key=b"z" * 32
    ).keyed_hash("a", context="doc")


def test_masks_follow_the_api_conventions() -> None:
    assert mask_document_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_name("王建国") == "王*国"
    assert mask_name("李四") == "李*"


def test_short_or_weak_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Protector(keys={"k1": b"short"}, current_key_id="k1", hash_key=b"h" * 32)
    with pytest.raises(ValueError, match="hash key"):
        Protector(keys={"k1": b"1" * 32}, current_key_id="k1", hash_key=b"h")
