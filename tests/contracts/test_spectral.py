"""Each service's OpenAPI document passes Spectral as provincial platforms run it: `spectral:oas` and the OWASP
API Security Top 10 (2023) rules, `deploy/spectral/ruleset.yaml`, at the versions `gridline.devstack.spectral` pins.

Every error and warning counts, of both rulesets, except these, each for a stated reason:

- `owasp:api4:2023-rate-limit` (RateLimit headers on every 2xx/4xx) and `owasp:api8:2023-define-cors-origin`
  (`Access-Control-Allow-Origin` on every response): the services send neither header. Limits are counted per
  caller in each replica and a refused caller gets 429 with `Retry-After`, which is documented; no browser calls
  a service across origins (the pages are served by `web`, which calls the services from the server).
  Documenting headers that are never sent would make the document lie to the clients generated from it.
- The input-bound rules (`string-limit`, `array-limit`, `integer-limit`) on schemas that only responses
  reach: they guard what a caller can send. A response is written by the service from input
  already bounded; declaring bounds on it would make FastAPI's response validation turn an older, longer stored
  value into a 500. Every schema a parameter or request body reaches is held to them.
- `define-error-responses-401` and `rate-limit-responses-429` on operations anyone may call with no credential
  (`security: [{}]` alone: health checks, the public board): nothing is checked that could answer 401, and no
  limit counts an anonymous caller. Operations a limit counts without a credential (booking) document 429.
- `define-error-responses-401` and `no-api-keys-in-url` for Open311 (`open311ApiKey`): GeoReport v2 fixes that
  the key is a query or form parameter and that a wrong key is answered 403, which is documented.
- `no-credentials-in-url` for a roster feed's token (`getRosterFeed`): a phone calendar subscribing to a feed
  sends no header, so the token has to be the URL. It reads one person's shifts and nothing else, expires, and
  is replaced or revoked by its owner at will.
- `define-error-validation` on operations taking no input at all (no parameter, no body): none can be invalid.
- `owasp:api4:2023-string-restricted` (a warning: every string should have a format, pattern or enum): a
  string whose domain has a form carries it (division codes, dates, instants, enums); free text (names,
  reasons, notes) and opaque tokens (ids, cursors, Idempotency-Keys) have none to give, and what any string
  can cost is bounded by its `maxLength`, which `string-limit` counts everywhere a caller can send one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from gridline.devstack import spectral
from gridline.http import openapi
from gridline.http.credentials import OPEN311
from gridline.testing import Sandbox, Secrets, Servers

from tests.conftest import FACTORIES

SERVICES = ("registry", "monitoring", "care", "duty")
COUNTED_SEVERITIES = {0, 1}  # error, warning (2 is information, 3 hint)
NEVER_SENT_HEADERS = {"owasp:api4:2023-rate-limit", "owasp:api8:2023-define-cors-origin"}
INPUT_BOUNDS = {
    f"owasp:api4:2023-{rule}" for rule in ("string-limit", "string-restricted", "array-limit", "integer-limit")
}
CALENDAR_FEEDS = {"getRosterFeed"}
CREDENTIAL_ANSWERS = {"owasp:api8:2023-define-error-responses-401", "owasp:api4:2023-rate-limit-responses-429"}


def document(name: str, folder: Path) -> dict[str, Any]:
    """The service's OpenAPI document as its app builds it; nothing connects to these addresses."""
    sandbox = Sandbox(Servers("127.0.0.1:9", "mongodb://127.0.0.1:9/"), Secrets(folder))
    factory, settings_class = FACTORIES[name]
    built: dict[str, Any] = factory(settings_class(**sandbox.settings(name))).openapi()
    return built


def input_schemas(doc: dict[str, Any]) -> set[str]:
    """Names of the component schemas a parameter or request body reaches, through any depth of `$ref`."""
    found: set[str] = set()
    pending: list[Any] = [
        {"parameters": op.get("parameters", []), "body": op.get("requestBody", {})}
        for operations in doc["paths"].values()
        for op in operations.values()
    ]
    schemas = doc.get("components", {}).get("schemas", {})
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[-1] not in found:
                found.add(ref.rsplit("/", 1)[-1])
                pending.append(schemas.get(ref.rsplit("/", 1)[-1], {}))
            pending += node.values()
        elif isinstance(node, list):
            pending += node
    return found


def operation_at(doc: dict[str, Any], path: list[Any]) -> dict[str, Any] | None:
    if len(path) >= 3 and path[0] == "paths":
        found: dict[str, Any] | None = doc["paths"].get(path[1], {}).get(path[2])
        return found
    return None


def excluded(finding: dict[str, Any], doc: dict[str, Any], inputs: set[str]) -> bool:
    """Whether the finding is one of the kinds the module docstring excludes, for the reason given there."""
    code, path = finding["code"], finding["path"]
    if code in NEVER_SENT_HEADERS or code == "owasp:api4:2023-string-restricted":
        return True
    if code in INPUT_BOUNDS:
        in_operation = path[:1] == ["paths"] and "responses" not in path
        in_input_schema = path[:2] == ["components", "schemas"] and len(path) > 2 and path[2] in inputs
        return not (in_operation or in_input_schema)
    if code == "owasp:api2:2023-no-api-keys-in-url":
        return bool(path[:3] == ["components", "securitySchemes", OPEN311])
    operation = operation_at(doc, path)
    if operation is None:
        return False
    if code == "owasp:api2:2023-no-credentials-in-url" and operation.get("operationId") in CALENDAR_FEEDS:
        return True
    security = operation.get("security", [])
    if code in CREDENTIAL_ANSWERS and not any(security):
        return True
    if code == "owasp:api8:2023-define-error-responses-401" and {OPEN311: []} in security:
        return True
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    return code == "owasp:api8:2023-define-error-validation" and not takes_input


def where(finding: dict[str, Any]) -> str:
    return f"{finding['code']} at {'.'.join(str(p) for p in finding['path'])}: {finding['message']}"


@pytest.mark.parametrize("name", SERVICES)
def test_spectral_finds_no_counted_defect_in_the_openapi_document(name: str, tmp_path: Path) -> None:
    doc = document(name, tmp_path)
    written = tmp_path / f"{name}.openapi.json"
    written.write_text(json.dumps(doc))
    inputs = input_schemas(doc)
    findings = [f for f in spectral.lint(written) if f["severity"] in COUNTED_SEVERITIES]
    counted = [where(f) for f in findings if not excluded(f, doc, inputs)]
    assert not counted, f"{len(counted)} findings:\n" + "\n".join(counted)


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_the_server_names_its_environment_in_words_the_inventory_rule_knows(environment: str) -> None:
    # owasp:api9:2023-inventory-environment's own pattern; the documents above are built in the test one.
    known = re.compile(r"(local|sandbox|alpha|beta|test|testing|stag|staging|prod|production|next|preprod)", re.I)
    assert known.search(openapi.server(environment)["description"])
