"""A real browser for the browser tests: Debian's Chromium, installed with apt-get where it is missing.

Playwright drives it through `executable_path`; nothing is downloaded by Playwright itself (its own browser
download does not work on these machines, and pages must not depend on the internet anyway).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from gridline.devstack.servers import say

CANDIDATES = ("chromium", "chromium-browser")

# Flags for a headless run as root on a machine without a display or outside network.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> Path:
    """The Chromium binary, installing Debian's package on first use."""
    found = _find()
    if found is not None:
        return found
    say("installing Debian's chromium for the browser tests (first run only)...")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-noto-cjk"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = _find()
    if found is None:
        raise RuntimeError("chromium is not on PATH after installing it")
    return found


def _find() -> Path | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return Path(path)
    return None


def main() -> None:
    print(chromium())
