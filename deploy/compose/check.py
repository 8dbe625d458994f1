"""Validate docker-compose.yml with compose-go, the parser Docker Compose itself uses; no container engine needed.

The Go program in deploy/compose/validate is built once per source version into the user's cache directory.
Interpolation gets a placeholder for every variable deploy/compose/example.env names (and nothing from the
process environment or a local .env), so a required variable missing from the example fails here too.
Without --file, the overrides are checked too, each merged onto docker-compose.yml as they are used (see
STACKS). Exit status 0 when valid, 1 when not.

    python deploy/compose/check.py [--file docker-compose.yml] [--print]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VALIDATOR_SRC = HERE / "validate"
EXAMPLE_ENV = HERE / "example.env"
_ENV_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=")
# The files docker-compose.yml is used with: alone, with the locally built images on podman
# (`./deploy/dev compose-smoke`), and with two replicas of monitoring and duty on top.
STACKS = (
    (),
    ("local-images.yml", "podman.yml"),
    ("local-images.yml", "podman.yml", "replicas.yml"),
)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gridline"


def validator_binary() -> Path:
    """The compiled validator for the current sources, built on first use."""
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((VALIDATOR_SRC / name).read_bytes())
    binary = cache_dir() / f"compose-validate-{digest.hexdigest()[:16]}"
    if binary.exists():
        return binary
    go = shutil.which("go")
    if go is None:
        raise SystemExit("compose check needs the Go toolchain (go) on PATH to build its validator")
    binary.parent.mkdir(parents=True, exist_ok=True)
    print(f"building compose validator into {binary}", file=sys.stderr)
    # Build beside the target and rename, so concurrent runs never execute a half-written file.
    with tempfile.TemporaryDirectory(dir=binary.parent) as scratch:
        partial = Path(scratch) / binary.name
        built = subprocess.run([go, "build", "-trimpath", "-o", str(partial), "."], cwd=VALIDATOR_SRC, check=False)
        if built.returncode != 0:
            raise SystemExit("could not build the compose validator")
        partial.replace(binary)
    return binary


def placeholder_env(example: Path) -> list[str]:
    """NAME=placeholder for every variable the example env file sets (commented-out ones are optional)."""
    names = [m.group(1) for line in example.read_text().splitlines() if (m := _ENV_LINE.match(line))]
    return [f"{name}=placeholder-for-compose-check" for name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=None, help="compose file to validate (alone)")
    parser.add_argument("--print", action="store_true", help="also print the resolved model")
    args = parser.parse_args(argv)

    command = [str(validator_binary()), "-project-dir", str(REPO)]
    for assignment in placeholder_env(EXAMPLE_ENV):
        command += ["-env", assignment]
    if args.print:
        command.append("-print")
    if args.file is not None:
        return subprocess.run([*command, str(args.file.resolve())], check=False).returncode
    status = 0
    for overrides in STACKS:
        files = [str(REPO / "docker-compose.yml"), *(str(HERE / name) for name in overrides)]
        if overrides:
            print(f"with {', '.join(overrides)}: ", end="", flush=True)
        status |= subprocess.run([*command, *files], check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
