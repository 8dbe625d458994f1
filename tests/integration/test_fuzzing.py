"""Schemathesis finds nothing the OpenAPI documents do not promise, in any of the four services.

The services run as real processes on local ports (`served.py`) rather than in-process: Schemathesis' ASGI
transport drives an app from its own thread and event loop per call, while each service's lifespan owns a relay,
consumers and timers on one loop; over a socket they run as in production, and the fuzzer's workers meet them
concurrently. Each service gets every phase (examples, coverage, fuzzing and the stateful phase that follows the
OpenAPI links), all checks, and a fixed seed; a shared time budget bounds the whole run. Tokens come per role and
jurisdiction (`fuzz_hooks.py`), and the per-caller rate limit is raised for this run only: the fuzzer is one
client sending as fast as it can, which the limit exists to stop.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import pytest
from gridline.auth import Right, Role
from gridline.devstack import servers
from gridline.http.deps import guard_of
from gridline.http.openapi import api_routes
from gridline.testing import Sandbox

from tests.conftest import FACTORIES
from tests.integration.people import COMMUNITY, COUNTY, OTHER_COMMUNITY
from tests.integration.served import serve

pytestmark = [pytest.mark.integration, pytest.mark.fuzz]

SERVICES = ("registry", "monitoring", "care", "duty")
JURISDICTIONS = (COMMUNITY, OTHER_COMMUNITY, COUNTY)
SECONDS_PER_SERVICE = int(os.environ.get("GRIDLINE_FUZZ_SECONDS", "30"))
SEED = 20210112
PHASES = "examples,coverage,fuzzing,stateful"
CONFIG = Path(__file__).with_name("schemathesis.toml")


def admitted_roles(sandbox: Sandbox) -> dict[str, list[str] | None]:
    """operationId -> the roles its right admits (None for a public operation), read from the routes."""
    found: dict[str, list[str] | None] = {}
    for name in SERVICES:
        factory, settings_class = FACTORIES[name]
        app = factory(settings_class(**sandbox.settings(name)))
        for operation_id, route in api_routes(app).items():
            guard = guard_of(route)
            found[operation_id] = sorted(guard) if isinstance(guard, Right) else None
    return found


def write_plan(sandbox: Sandbox, path: Path) -> None:
    tokens = {
        role.value: {
            j: sandbox.secrets.token(role.value, jurisdiction=j, subject=f"fuzz-{role.value}-{j}", ttl=3600)
            for j in JURISDICTIONS
        }
        for role in Role
    }
    path.write_text(json.dumps({"tokens": tokens, "rights": admitted_roles(sandbox)}))


async def fuzz(url: str, env: dict[str, str]) -> tuple[int, str]:
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", f"{url}/openapi.json"),
        *("--phases", PHASES, "--max-time", str(SECONDS_PER_SERVICE), "--workers", "1"),
        *("--seed", str(SEED), "--generation-database", "none", "--no-color", "--output-truncate", "false"),
        *("--request-timeout", "20"),
    ]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=servers.REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode(errors="replace")


MIN_CASES = 20


def generated(output: str) -> int:
    """The number of test cases Schemathesis reports it generated."""
    found = re.search(r"(\d+) generated", output)
    return int(found.group(1)) if found else 0


async def test_schemathesis_finds_no_failure_in_any_service(sandbox: Sandbox, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    write_plan(sandbox, plan)
    env = {
        **os.environ,
        "GRIDLINE_FUZZ_PLAN": str(plan),
        "SCHEMATHESIS_HOOKS": "tests.integration.fuzz_hooks",
        "PYTHONPATH": str(servers.REPO),
    }
    with serve(sandbox, SERVICES, logs=tmp_path / "logs", rate_limit_per_caller="100000/minute") as urls:
        runs = await asyncio.gather(*(fuzz(urls[name], env) for name in SERVICES))
    exits: dict[str, int] = {}
    for name, (code, output) in zip(SERVICES, runs, strict=True):
        (tmp_path / f"{name}.txt").write_text(output)
        exits[name] = code
        if code:
            print(f"\n===== {name}: schemathesis exited {code}; its report is in {tmp_path}\n{output[-8000:]}")
    cases = {name: generated(output) for name, (_, output) in zip(SERVICES, runs, strict=True)}
    print(f"schemathesis generated {sum(cases.values())} cases: {cases}")
    assert exits == dict.fromkeys(SERVICES, 0)
    # Each service really was fuzzed (not a run that found no operations). How many cases fit in the time
    # budget depends on the machine: about a thousand per service on a quiet one, a few dozen when it is busy.
    assert all(n >= MIN_CASES for n in cases.values()), cases
