"""Obtain and run Spectral, the OpenAPI linter provincial platforms judge our HTTP contracts with.

`@stoplight/spectral-cli` and `@stoplight/spectral-owasp-ruleset` (OWASP API Security Top 10 2023) are
installed with npm, at the exact versions below, into a folder of the user's cache once; the ruleset that
extends both is `deploy/spectral.yaml`. Nothing is installed into the repository.

    python -m gridline.devstack.spectral prepare     # install once (the test command runs this)
    python -m gridline.devstack.spectral lint doc.json
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from gridline.devstack.servers import DEPLOY, _require, cache_dir, say

SPECTRAL_CLI_VERSION = "6.16.3"
OWASP_RULESET_VERSION = "2.0.1"
RULESET = DEPLOY / "spectral.yaml"


def _root() -> Path:
    return cache_dir() / f"spectral-{SPECTRAL_CLI_VERSION}-owasp-{OWASP_RULESET_VERSION}"


def installation() -> Path:
    """The folder holding `node_modules` with both packages, installed with npm on first use."""
    root = _root()
    if (root / ".complete").exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers: one installs, the others wait for it
        if not (root / ".complete").exists():
            _install(root)
    return root


def _install(root: Path) -> None:
    say(f"installing Spectral {SPECTRAL_CLI_VERSION} and the OWASP ruleset {OWASP_RULESET_VERSION} (first run only)...")
    _require("npm", "node")
    with tempfile.TemporaryDirectory(dir=root) as work:
        manifest = {
            "name": "gridline-spectral",
            "private": True,
            "dependencies": {
                "@stoplight/spectral-cli": SPECTRAL_CLI_VERSION,
                "@stoplight/spectral-owasp-ruleset": OWASP_RULESET_VERSION,
            },
        }
        (Path(work) / "package.json").write_text(json.dumps(manifest, indent=2))
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--save-exact", "--loglevel=error"],
            check=True,
            cwd=work,
            stdout=sys.stderr,  # `prepare` prints the folder on stdout
        )
        shutil.rmtree(root / "node_modules", ignore_errors=True)
        os.replace(Path(work) / "node_modules", root / "node_modules")
        os.replace(Path(work) / "package.json", root / "package.json")
    (root / ".complete").touch()


def binary() -> Path:
    return installation() / "node_modules" / ".bin" / "spectral"


def lint(document: Path, *, ruleset: Path = RULESET) -> list[dict[str, Any]]:
    """Spectral's findings on one OpenAPI document, as its JSON output lists them (code, severity, path...)."""
    root = installation()
    # A ruleset's `extends` finds packages in the `node_modules` beside it, so a copy of it runs from there.
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=root, prefix="ruleset-") as beside:
        beside.write(ruleset.read_text())
        beside.flush()
        answer = subprocess.run(
            [str(binary()), "lint", str(document.resolve()), "--ruleset", beside.name, "--format", "json", "--quiet"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=root,
            check=False,
        )
    # Exit status 1 means "findings at or above the fail severity"; anything else unreadable is a real failure.
    try:
        findings: list[dict[str, Any]] = json.loads(answer.stdout or "[]")
    except json.JSONDecodeError as error:
        raise RuntimeError(f"spectral failed ({answer.returncode}): {answer.stderr or answer.stdout}") from error
    return findings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "lint"])
    parser.add_argument("documents", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        print(installation())
        return
    for document in args.documents:
        for finding in lint(document):
            where = ".".join(str(p) for p in finding.get("path", []))
            print(f"{document}: {finding['severity']} {finding['code']} {where}: {finding['message']}")


if __name__ == "__main__":
    main()
