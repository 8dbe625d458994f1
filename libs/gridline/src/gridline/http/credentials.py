"""How each operation's caller proves itself, stated in the OpenAPI document as security schemes.

A guarded route takes a bearer token (FastAPI states that from the `HTTPBearer` dependency). The others are
not unprotected, they take a credential of another kind: a signed machine request (`signatures.py`), a
resident's link token (`X-Link-Token`), or an Open311 client's `api_key`. Each becomes an API-key scheme, so a
reader of the document (or a linter counting unprotected writes) sees which credential an operation wants.
An operation anyone may call without credentials (health checks, the public board, requesting a booking code)
says so with the empty requirement `{}`: anonymous access is the documented intent, not an omission.
"""

from __future__ import annotations

from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from gridline.signatures import CLIENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_client

LINK_HEADER = "X-Link-Token"
SIGNED = "signedRequest"
LINK = "residentLink"
OPEN311 = "open311ApiKey"
ANONYMOUS: dict[str, list[str]] = {}

SCHEMES: dict[str, dict[str, Any]] = {
    SIGNED: {
        "type": "apiKey",
        "in": "header",
        "name": SIGNATURE_HEADER,
        "description": f"A machine client's signed request: `{CLIENT_HEADER}` names its key, `{TIMESTAMP_HEADER}` "
        f"gives unix seconds within the accepted window, and `{SIGNATURE_HEADER}` is the hex HMAC-SHA256 of "
        '`"{timestamp}\\n{METHOD}\\n{path}\\n{sha256 hex of the raw body}"`. Each signed request is accepted once.',
    },
    LINK: {
        "type": "apiKey",
        "in": "header",
        "name": LINK_HEADER,
        "description": "The token of the link a resident was sent: it names the resident and what the link is for.",
    },
    OPEN311: {
        "type": "apiKey",
        "in": "query",
        "name": "api_key",
        "description": "An Open311 (GeoReport v2) client's key: a form field when creating a request, a query "
        "parameter when reading. GeoReport v2 fixes where the key goes.",
    },
}


def requirements(operation: dict[str, Any], route: APIRoute | None, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    """The operation's security requirements: what FastAPI stated, else the credential its inputs show."""
    if operation.get("security"):
        return list(operation["security"])
    if route is not None and _depends_on(route.dependant, signed_client):
        return [{SIGNED: []}]
    headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
    if LINK_HEADER in headers:
        return [{LINK: []}] if headers[LINK_HEADER].get("required") else [{LINK: []}, ANONYMOUS]
    required_key = "api_key" in _body_required(operation, schemas)
    optional_key = any(p["in"] == "query" and p["name"] == "api_key" for p in operation.get("parameters", []))
    if required_key:
        return [{OPEN311: []}]
    if optional_key:
        return [{OPEN311: []}, ANONYMOUS]
    return [ANONYMOUS]


def takes_credentials(security: list[dict[str, Any]]) -> bool:
    """Whether an operation can refuse its caller for a missing or wrong credential (answer 401)."""
    return any(security)


def _depends_on(dependant: Dependant, call: object) -> bool:
    pending = [dependant]
    while pending:
        current = pending.pop()
        if current.call is call:
            return True
        pending += current.dependencies
    return False


def _body_required(operation: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for media in operation.get("requestBody", {}).get("content", {}).values():
        body = media.get("schema", {})
        body = schemas.get(str(body.get("$ref", "")).rsplit("/", 1)[-1], body)
        found |= set(body.get("required", []))
    return found
