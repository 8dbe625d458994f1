"""Write (or check) each service's AsyncAPI document, generated from its own event models.

python deploy/asyncapi.py          regenerate services/<name>/asyncapi.json
python deploy/asyncapi.py --check  fail if a committed document differs from the code (CI)
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from gridline.asyncapi import build

REPO = Path(__file__).resolve().parents[1]
SERVICES = ("registry", "monitoring", "care", "duty")


def render(service: str) -> str:
    definition = importlib.import_module(f"{service}.main").definition()
    return json.dumps(build(definition), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    drifted = []
    for service in SERVICES:
        path = REPO / "services" / service / "asyncapi.json"
        text = render(service)
        if args.check:
            if not path.exists() or path.read_text() != text:
                drifted.append(str(path.relative_to(REPO)))
        else:
            path.write_text(text)
    if drifted:
        print("AsyncAPI documents differ from the code; run `uv run python deploy/asyncapi.py`:", *drifted, sep="\n  ")
        return 1
    print("AsyncAPI documents " + ("match the code" if args.check else "written") + f": {', '.join(SERVICES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
