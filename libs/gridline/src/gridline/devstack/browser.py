"""A real browser for the browser tests: Debian's Chromium, installed with apt-get where it is missing.

Playwright drives it through `executable_path`; nothing is downloaded by Playwright itself (its own browser
download does not work on these machines, and pages must not depend on the internet anyway).

Debian's archive keeps only the newest Chromium of a release, so it cannot be pinned the way uv.lock pins the
Python packages. Instead the suite states the majors it was run with, and refuses any other with a message
saying what to do: a browser that changed under the tests shows as that, not as a page test failing later.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from gridline.devstack.servers import say

CANDIDATES = ("chromium", "chromium-browser")
# The Chromium majors the browser tests have passed with (Playwright's protocol needs 120 or later). Raise the
# upper bound once the whole suite has passed with a newer one; GRIDLINE_CHROMIUM_UNTESTED=1 runs it anyway.
SUPPORTED_MAJORS = range(120, 157)

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
    found = _find() or _install()
    _check_supported(found)
    return found


def major_version(version_line: str) -> int:
    """156 of `Chromium 156.0.8078.129 built on Debian GNU/Linux 12 (bookworm)`."""
    found = re.search(r"(\d+)\.\d+\.\d+\.\d+", version_line)
    if found is None:
        raise RuntimeError(f"cannot read a Chromium version from {version_line!r}")
    return int(found.group(1))


def unsupported(major: int) -> str | None:
    """Why the tests refuse this major, or None when they were run with it."""
    if major in SUPPORTED_MAJORS:
        return None
    first, last = SUPPORTED_MAJORS[0], SUPPORTED_MAJORS[-1]
    if major < first:
        return f"Chromium {major} is older than {first}, the oldest the browser tests support: upgrade it."
    return (
        f"Chromium {major} is newer than {last}, the newest the browser tests were run with. Run them with "
        f"GRIDLINE_CHROMIUM_UNTESTED=1, and once they pass raise SUPPORTED_MAJORS in {__name__}."
    )


def version_line(binary: Path) -> str:
    """What the binary says of itself: `Chromium 156.0.8078.129 built on Debian GNU/Linux 12 (bookworm)`."""
    answer = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60, check=True)
    return answer.stdout.strip()


def _check_supported(binary: Path) -> None:
    line = version_line(binary)
    why = unsupported(major_version(line))
    if why and os.environ.get("GRIDLINE_CHROMIUM_UNTESTED") != "1":
        raise SystemExit(f"[gridline] {line} at {binary}: {why}")
    if why:
        say(f"{line}: {why} Running anyway (GRIDLINE_CHROMIUM_UNTESTED=1).")


def _install() -> Path:
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
