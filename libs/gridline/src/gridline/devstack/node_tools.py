"""Node.js tools the test suite holds the contracts to, installed with `npm ci` from a committed lock file.

A tool's folder in the repository (`deploy/asyncapi/`, ...) holds its `package.json` and `package-lock.json`:
every package, direct or not, at the version and integrity hash the lock names, as `uv.lock` pins the Python
ones. The packages go into a folder of the user's cache named after the lock's digest, installed once (a lock
file lets parallel test workers wait for the one installing); nothing is installed into the repository.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gridline.devstack.servers import _require, cache_dir, once, say


def installed(tool: Path) -> Path:
    """The cache folder whose `node_modules` holds what `tool/package-lock.json` names, installed on first use."""
    lock_file = tool / "package-lock.json"
    digest = hashlib.sha256(lock_file.read_bytes()).hexdigest()[:12]
    root = cache_dir() / f"node-{tool.name}-{digest}"
    once(root, lambda: _install(tool, root))
    return root


def _install(tool: Path, root: Path) -> None:
    say(f"installing the npm packages of {tool.name} from its package-lock.json (first run only)...")
    _require("npm", "node")
    with tempfile.TemporaryDirectory(dir=root) as work:
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(tool / name, Path(work) / name)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            check=True,
            cwd=work,
            stdout=sys.stderr,  # callers print the folder on stdout
        )
        shutil.rmtree(root / "node_modules", ignore_errors=True)
        os.replace(Path(work) / "node_modules", root / "node_modules")
