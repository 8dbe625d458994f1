"""Validate docker-compose.yml with compose-go, the parser Docker Compose itself uses; no container engine needed.

The Go program in deploy/compose/validate is built once per source version into the user's cache directory.
Interpolation gets a placeholder for every variable deploy/compose/example.env names (and nothing from the
process environment or a local .env), so a required variable missing from the example fails here too.
Also checks that the four service Dockerfiles stay one pattern. Exit status 0 when valid, 1 when not.

    python deploy/compose/check.py [--file docker-compose.yml] [--print]
"""

from __future__ import annotations

import argparse
import difflib
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
TEMPLATE_SERVICE = "registry"
_ENV_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=")


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


def dockerfile_drift() -> list[str]:
    """Problems with the per-service Dockerfiles: missing, or differing from the registry's beyond the name."""
    services = sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))
    template_path = REPO / "services" / TEMPLATE_SERVICE / "Dockerfile"
    if not template_path.exists():
        return [f"{template_path.relative_to(REPO)} is missing"]
    template = template_path.read_text()

    def for_service(name: str) -> str:
        return (
            template.replace(f"--package gridline-{TEMPLATE_SERVICE}", f"--package gridline-{name}")
            .replace(f"COPY services/{TEMPLATE_SERVICE}/src ", f"COPY services/{name}/src ")
            .replace(f"services/{TEMPLATE_SERVICE}/src\n", f"services/{name}/src\n")
            .replace(f'"-m", "{TEMPLATE_SERVICE}"]', f'"-m", "{name}"]')
        )

    problems = []
    for name in services:
        path = REPO / "services" / name / "Dockerfile"
        if not path.exists():
            problems.append(f"{path.relative_to(REPO)} is missing")
            continue
        expected, actual = for_service(name), path.read_text()
        if actual != expected:
            diff = difflib.unified_diff(
                expected.splitlines(),
                actual.splitlines(),
                f"expected (services/{TEMPLATE_SERVICE}/Dockerfile with the name changed)",
                str(path.relative_to(REPO)),
                lineterm="",
            )
            problems.append(f"{path.relative_to(REPO)} differs from the shared pattern:\n" + "\n".join(diff))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=REPO / "docker-compose.yml", help="compose file to validate")
    parser.add_argument("--print", action="store_true", help="also print the resolved model")
    args = parser.parse_args(argv)

    problems = dockerfile_drift()
    for problem in problems:
        print(f"dockerfile check: {problem}", file=sys.stderr)

    command = [str(validator_binary()), "-project-dir", str(REPO)]
    for assignment in placeholder_env(EXAMPLE_ENV):
        command += ["-env", assignment]
    if args.print:
        command.append("-print")
    command.append(str(args.file.resolve()))
    validated = subprocess.run(command, check=False)
    if problems:
        print(f"dockerfile check failed: {len(problems)} problem(s) above", file=sys.stderr)
    return 1 if problems or validated.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
