"""The browser tests say which Chromium they run with, and refuse one they were never run with."""

from __future__ import annotations

import pytest
from gridline.devstack.browser import SUPPORTED_MAJORS, major_version, unsupported


def test_the_major_is_read_from_what_debians_chromium_prints() -> None:
    assert major_version("Chromium 156.0.8078.129 built on Debian GNU/Linux 12 (bookworm)") == 156
    assert major_version("Chromium 120.0.6099.224 snap") == 120


def test_a_line_without_a_version_is_an_error_not_a_guess() -> None:
    with pytest.raises(RuntimeError, match="cannot read a Chromium version"):
        major_version("chromium: command not found")


def test_the_majors_passed_with_are_accepted() -> None:
    assert unsupported(156) is None
    assert unsupported(SUPPORTED_MAJORS[0]) is None


def test_an_older_or_newer_major_is_refused_with_what_to_do() -> None:
    older = unsupported(SUPPORTED_MAJORS[0] - 1)
    newer = unsupported(SUPPORTED_MAJORS[-1] + 1)
    assert older is not None
    assert "upgrade it" in older
    assert newer is not None
    assert "GRIDLINE_CHROMIUM_UNTESTED=1" in newer
    assert "SUPPORTED_MAJORS" in newer
