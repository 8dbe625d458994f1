"""The official AsyncAPI parser (`@asyncapi/parser`, npm), as subscribers' tooling reads our event contracts.

python -m gridline.devstack.asyncapi_parser prepare            # install once (the test command runs this)
python -m gridline.devstack.asyncapi_parser check doc.json ... # print its diagnostics
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from gridline.devstack import node_tools
from gridline.devstack.servers import DEPLOY

TOOL = DEPLOY / "asyncapi"  # package.json and package-lock.json pin @asyncapi/parser and all it needs
SCRIPT = TOOL / "parse.mjs"
SEVERITIES = {0: "error", 1: "warning", 2: "information", 3: "hint"}


def installation() -> Path:
    return node_tools.installed(TOOL)


def diagnostics(*documents: Path) -> list[dict[str, Any]]:
    """Every diagnostic the parser gives for the documents (`severity` 0 error ... 3 hint)."""
    root = installation()
    # Node resolves the import from the script's own folder: a copy of it runs beside the installed packages,
    # with the package.json that makes it an ES module.
    script = root / SCRIPT.name
    shutil.copyfile(SCRIPT, script)
    shutil.copyfile(TOOL / "package.json", root / "package.json")
    answer = subprocess.run(
        ["node", str(script), *(str(d.resolve()) for d in documents)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if answer.returncode != 0:
        raise RuntimeError(f"the AsyncAPI parser failed ({answer.returncode}): {answer.stderr[-2000:]}")
    found: list[dict[str, Any]] = json.loads(answer.stdout)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "check"])
    parser.add_argument("documents", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        print(installation())
        return
    for found in diagnostics(*args.documents):
        where = "/".join(str(p) for p in found.get("path", []))
        print(f"{found['document']}: {SEVERITIES.get(found['severity'], found['severity'])} {found['code']} {where}")


if __name__ == "__main__":
    main()
