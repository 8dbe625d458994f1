"""Bearer tokens from the configured issuer, roles and jurisdiction claims."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from typing import Any

import pytest
from gridline.auth import TokenError, TokenVerifier, scope_keys
from gridline.auth.issuer import issue_token, make_keys
from gridline.auth.tokens import LEEWAY_SECONDS
from gridline.settings import ServiceSettings
from pydantic import ValidationError


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    make_keys(tmp_path)
    return tmp_path


def verifier(keys: Path, issuer: str = "gridline-local") -> TokenVerifier:
    return TokenVerifier(jwks=str(keys / "jwks.json"), issuer=issuer, audience="gridline")


def token(keys: Path, **overrides: object) -> str:
    args: dict[str, object] = {
        "subject": "w1",
        "roles": ["grid_worker"],
        "jurisdiction": "330106001001",
        "issuer": "gridline-local",
        "audience": "gridline",
    }
    args.update(overrides)
    return issue_token(keys, **args)  # type: ignore[arg-type]


def test_a_good_token_gives_subject_roles_and_jurisdiction(keys: Path) -> None:
    principal = verifier(keys).verify(token(keys, roles=["grid_worker", "unknown_role"]))

    assert principal.subject == "w1"
    assert principal.roles == frozenset({"grid_worker"})
    assert principal.scope_filter() == {"scope": "330106001001"}


@pytest.mark.parametrize(
    "overrides",
    [
        {"ttl_seconds": -120},
        {"issuer": "someone-else"},
        {"audience": "other"},
        {"jurisdiction": "3301060"},
        {"jurisdiction": "*"},
    ],
)
def test_bad_tokens_are_refused(keys: Path, overrides: dict[str, object]) -> None:
    with pytest.raises(TokenError):
        verifier(keys).verify(token(keys, **overrides))


def test_a_token_signed_by_another_key_is_refused(keys: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("other")
    make_keys(other)
    with pytest.raises(TokenError):
        verifier(keys).verify(token(other))


def test_a_remembered_token_still_expires(keys: Path) -> None:
    checker = verifier(keys)
    # Expired a second short of the leeway: valid for one more second, then refused.
    nearly_over = token(keys, ttl_seconds=-(LEEWAY_SECONDS - 1))
    assert checker.verify(nearly_over).subject == "w1"  # verified once, then remembered

    time.sleep(1.5)

    with pytest.raises(TokenError):
        checker.verify(nearly_over)


def test_remembering_a_token_lets_no_altered_copy_through(keys: Path) -> None:
    checker, good = verifier(keys), token(keys)
    checker.verify(good)
    header, payload, signature = good.split(".")
    forged_claims = base64.urlsafe_b64encode(b'{"sub":"w1","roles":["province_admin"]}').rstrip(b"=").decode()

    for forged in (f"{header}.{forged_claims}.{signature}", f"{header}.{payload}.{signature[:-4]}AAAA"):
        with pytest.raises(TokenError):
            checker.verify(forged)


def test_a_record_is_inside_every_level_above_it_and_its_grid() -> None:
    assert scope_keys("330106001001", "g1") == ["33", "3301", "330106", "330106001", "330106001001", "grid:g1"]


def test_settings_refuse_placeholder_keys_and_take_any_real_one() -> None:
    base: dict[str, Any] = {"service_name": "x", "auth_jwks": "/dev/null", "pii_current_key_id": "k1"}
    for _ in range(2000):  # random keys: none may look like a placeholder by accident
        key = base64.b64encode(os.urandom(32)).decode()
        ServiceSettings(**base, pii_encryption_keys=f"k1:{key}", pii_hash_key=key)
    for bad in ("changeme", "k1:changeme", "k1:xxx", "", "k1:" + base64.b64encode(b"short").decode()):
        with pytest.raises(ValidationError, match="placeholder"):
            ServiceSettings(**base, pii_encryption_keys=bad, pii_hash_key=base64.b64encode(os.urandom(32)).decode())
