"""Every event type a service publishes matches its AsyncAPI payload schema, checked on real samples.

Each service a test starts reports what its relay published; the first few events of each type are written,
one JSON line each, under `.local/event-samples/<run>/` (one file per test process; each run its own folder,
so two runs in one checkout do not mix or delete each other's). When the whole suite has run,
every sample is validated against the JSON Schema of its type in the committed `services/*/asyncapi.json`, and a
published type that no test produced fails the run, unless `UNREACHED` says why no test can produce it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from gridline.devstack.servers import REPO
from gridline.events import Event, dumps
from jsonschema import Draft202012Validator

ROOT = REPO / ".local" / "event-samples"
RUN = "GRIDLINE_EVENT_SAMPLES"  # this run's folder, set by the controlling process and inherited by its workers
PER_TYPE = 3
SERVICES = ("registry", "monitoring", "care", "duty")
# Published types no test produces yet, each with the reason; the list should only shrink.
UNREACHED: dict[str, str] = {}

_kept: dict[str, int] = defaultdict(int)


def record(event: Event) -> None:
    """Keep the first few events of each type this process sees published."""
    if _kept[event.type] >= PER_TYPE:
        return
    _kept[event.type] += 1
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    line = dumps({"type": event.type, "topic": event.topic, "data": event.data})
    with (folder / f"{os.getpid()}.jsonl").open("ab") as out:
        out.write(line + b"\n")


def published_schemas() -> dict[str, dict[str, Any]]:
    """ce_type -> its payload schema, resolvable on its own, from each service's committed AsyncAPI document."""
    schemas = {}
    for service in SERVICES:
        document = json.loads((REPO / "services" / service / "asyncapi.json").read_text())
        components = document["components"]
        for operation in document["operations"].values():
            if operation["action"] != "send":
                continue
            name = operation["messages"][0]["$ref"].rsplit("/", 1)[-1]
            message = components["messages"][name]
            schemas[message["name"]] = {**message["payload"], "components": components}
    return schemas


def check(samples: dict[str, list[dict[str, Any]]], schemas: dict[str, dict[str, Any]], *, whole: bool) -> list[str]:
    """What is wrong: a sample its schema refuses, a sample of an undocumented type, a type never produced."""
    problems = []
    for ce_type, found in sorted(samples.items()):
        if ce_type not in schemas:
            problems.append(f"{ce_type}: published, but in no AsyncAPI document")
            continue
        validator = Draft202012Validator(schemas[ce_type])
        for data in found:
            problems += [
                f"{ce_type}: {'.'.join(map(str, e.path)) or 'payload'}: {e.message}"
                for e in validator.iter_errors(data)
            ]
    if whole:
        problems += [f"{t}: no test produced one" for t in sorted(set(schemas) - set(samples) - set(UNREACHED))]
    return problems


def read_samples() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(_folder().glob("*.jsonl")):
        for line in path.read_text().splitlines():
            sample = json.loads(line)
            found[sample["type"]].append(sample["data"])
    return dict(found)


def _whole_suite(config: pytest.Config) -> bool:
    option = config.option
    return (
        config.args_source is pytest.Config.ArgsSource.TESTPATHS
        and not option.keyword
        and option.markexpr in ("", "not fuzz")  # the fuzz run (services in their own processes) samples nothing
        and not getattr(option, "lf", False)
    )


def _folder() -> Path:
    return Path(os.environ.get(RUN) or ROOT / str(os.getpid()))


def start_run() -> None:
    """Called by the controlling process before any test runs: a fresh folder for this run's samples."""
    folder = ROOT / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)
    os.environ[RUN] = str(folder)


def check_at_the_end(session: pytest.Session, exitstatus: int) -> None:
    """Called by the controlling process when every test has run; fails the run on any problem."""
    if hasattr(session.config, "workerinput") or exitstatus != pytest.ExitCode.OK:
        return
    samples = read_samples()
    if not samples:
        return
    problems = check(samples, published_schemas(), whole=_whole_suite(session.config))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"event samples: {sum(map(len, samples.values()))} of {len(samples)} types checked")
        for problem in problems:
            reporter.write_line(f"  event contract: {problem}", red=True)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        shutil.rmtree(_folder(), ignore_errors=True)
