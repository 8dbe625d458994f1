"""Obtain and run Spectral, the OpenAPI linter provincial platforms judge our HTTP contracts with.

`@stoplight/spectral-cli` and `@stoplight/spectral-owasp-ruleset` (OWASP API Security Top 10 2023), and all
they pull in, install with `npm ci` from `deploy/spectral/package-lock.json` into a folder of the user's cache
once (`gridline.devstack.node_tools`); the ruleset that extends both is `deploy/spectral/ruleset.yaml`.
Nothing is installed into the repository.

    python -m gridline.devstack.spectral prepare     # install once (the test command runs this)
    python -m gridline.devstack.spectral lint doc.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from gridline.devstack import node_tools
from gridline.devstack.servers import DEPLOY

TOOL = DEPLOY / "spectral"
RULESET = TOOL / "ruleset.yaml"


def installation() -> Path:
    """The folder holding `node_modules` with both packages, installed on first use."""
    return node_tools.installed(TOOL)


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
