"""Node.js tools the test suite holds the contracts to, installed with npm at exact versions into the cache.

Each set of packages gets a folder of its own under the user's cache (`<name>-<version>-...`), installed once
(a lock file lets parallel test workers wait for the one installing); nothing goes into the repository.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from gridline.devstack.servers import _require, cache_dir, say


def installed(name: str, packages: Mapping[str, str]) -> Path:
    """The folder whose `node_modules` holds `packages` (name -> exact version), installed on first use."""
    root = cache_dir() / "-".join([name, *(f"{p.rsplit('/', 1)[-1]}-{v}" for p, v in sorted(packages.items()))])
    if (root / ".complete").exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".complete").exists():
            _install(root, name, packages)
    return root


def _install(root: Path, name: str, packages: Mapping[str, str]) -> None:
    listed = ", ".join(f"{p} {v}" for p, v in packages.items())
    say(f"installing {listed} with npm (first run only)...")
    _require("npm", "node")
    with tempfile.TemporaryDirectory(dir=root) as work:
        manifest = {"name": f"gridline-{name}", "private": True, "dependencies": dict(packages)}
        (Path(work) / "package.json").write_text(json.dumps(manifest, indent=2))
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--save-exact", "--loglevel=error"],
            check=True,
            cwd=work,
            stdout=sys.stderr,  # callers print the folder on stdout
        )
        shutil.rmtree(root / "node_modules", ignore_errors=True)
        os.replace(Path(work) / "node_modules", root / "node_modules")
        os.replace(Path(work) / "package.json", root / "package.json")
    (root / ".complete").touch()
