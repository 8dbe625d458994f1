"""Bearer tokens from the configured issuer, roles and jurisdiction claims."""

from __future__ import annotations

from pathlib import Path

import pytest
from gridline.auth import TokenError, TokenVerifier, scope_keys
from gridline.auth.issuer import issue_token, make_keys


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


def test_a_record_is_inside_every_level_above_it_and_its_grid() -> None:
    assert scope_keys("330106001001", "g1") == ["33", "3301", "330106", "330106001", "330106001001", "grid:g1"]
