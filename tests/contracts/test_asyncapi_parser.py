"""Each service's AsyncAPI document parses in the official `@asyncapi/parser` with no error and no warning,
as a subscriber's code generator or documentation tool would read it.

Informational notes and hints are not defects: the parser notes that AsyncAPI 3.0.0 is not its newest 3.x.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gridline.devstack import asyncapi_parser
from gridline.devstack.servers import REPO

SERVICES = ("registry", "monitoring", "care", "duty")
ERROR, WARNING = 0, 1


@pytest.mark.parametrize("service", SERVICES)
def test_the_event_contract_parses_without_errors_or_warnings(service: str) -> None:
    found = asyncapi_parser.diagnostics(REPO / "services" / service / "asyncapi.json")
    defects = [d for d in found if d["severity"] in (ERROR, WARNING)]
    assert defects == [], json.dumps(defects, ensure_ascii=False, indent=2)


def test_a_broken_contract_is_reported(tmp_path: Path) -> None:
    """The check can fail: a channel whose message points at nothing is an error."""
    document = json.loads((REPO / "services" / "registry" / "asyncapi.json").read_text())
    channel = next(iter(document["channels"].values()))
    message = next(iter(channel["messages"]))
    channel["messages"][message] = {"$ref": "#/components/messages/NoSuchMessage"}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    assert any(d["severity"] == ERROR for d in asyncapi_parser.diagnostics(broken))
