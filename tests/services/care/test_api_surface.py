"""Care's HTTP surface: the operations its clients rely on, each named in camelCase with a response schema."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

from care.main import create_app
from care.settings import CareSettings
from gridline.auth.issuer import make_keys

REQUIRED = {
    "listMembers",
    "getMember",
    "registerHelper",
    "listHelpers",
    "setHelperAvailability",
    "openRequest",
    "getRequest",
    "listRequests",
    "suggestHelpers",
    "assignRequest",
    "acknowledgeRequest",
    "fulfilRequest",
    "cancelRequest",
    "listDueVisits",
    "recordVisit",
    "listOpen311Services",
    "createOpen311Request",
    "getOpen311Request",
}


def operations(tmp_path: Path) -> dict[str, dict[str, Any]]:
    make_keys(tmp_path)
    settings = CareSettings(
        auth_jwks=str(tmp_path / "jwks.json"),
        pii_encryption_keys="k1:" + base64.b64encode(os.urandom(32)).decode(),
        pii_current_key_id="k1",
        pii_hash_key=base64.b64encode(os.urandom(32)).decode(),
    )
    spec = create_app(settings).openapi()
    return {op["operationId"]: op for path in spec["paths"].values() for op in path.values()}


def test_every_operation_the_issue_names_exists_in_camel_case_with_a_response_schema(tmp_path: Path) -> None:
    found = operations(tmp_path)

    assert REQUIRED - set(found) == set()
    for name, operation in found.items():
        assert re.fullmatch(r"[a-z]+(?:[A-Z0-9][a-z0-9]*)*", name), name
        success = next(v for code, v in operation["responses"].items() if code.startswith("2"))
        # GeoReport's XML twins (`…Xml`) answer in the XML the spec shapes; every other operation in JSON.
        media = "text/xml" if name.endswith("Xml") else "application/json"
        assert name == "getMetrics" or "schema" in success.get("content", {}).get(media, {}), name


def test_open311_create_takes_a_form_like_georeport_clients_send(tmp_path: Path) -> None:
    create = operations(tmp_path)["createOpen311Request"]

    assert list(create["requestBody"]["content"]) == ["application/x-www-form-urlencoded"]
