"""The name the pages greet a worker with, from an identity provider's claims."""

from __future__ import annotations

from web.signin import display_name


def test_a_chinese_name_is_written_family_name_first_without_a_space() -> None:
    claims = {"sub": "u1", "name": "洋 刘", "given_name": "洋", "family_name": "刘"}
    assert display_name(claims) == "刘洋"


def test_other_names_are_taken_as_the_provider_writes_them() -> None:
    assert display_name({"sub": "u1", "name": "Anna Li", "given_name": "Anna", "family_name": "Li"}) == "Anna Li"
    assert display_name({"sub": "u1", "name": "王芳"}) == "王芳"
    assert display_name({"sub": "u1", "preferred_username": "liuyang"}) == "liuyang"
    assert display_name({"sub": "u1"}) == "u1"
