"""A service's event loop takes the interpreter back from a computing worker thread within 0.5 ms."""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from care.main import create_app
from care.settings import CareSettings
from gridline import threads
from gridline.auth.issuer import make_keys


@pytest.fixture
def default_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)  # Python's own default
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@pytest.mark.usefixtures("default_interval")
def test_building_a_service_shortens_how_long_a_worker_thread_keeps_the_interpreter(tmp_path: Path) -> None:
    make_keys(tmp_path)
    settings = CareSettings(
        auth_jwks=str(tmp_path / "jwks.json"),
        pii_encryption_keys="k1:" + base64.b64encode(os.urandom(32)).decode(),
        pii_current_key_id="k1",
        pii_hash_key=base64.b64encode(os.urandom(32)).decode(),
    )

    create_app(settings)

    assert sys.getswitchinterval() == pytest.approx(threads.SWITCH_INTERVAL)
    assert threads.SWITCH_INTERVAL <= 0.0005
