"""The OpenAPI document tells a client everything an operation can answer.

FastAPI documents the success body and its own 422 schema. Every service answers errors as RFC 9457 problem
details, so this completes each operation once, from what the route itself shows: a guarded route can answer
401, 403 and 429; one naming a record (a path parameter, a `*_id` or `*_code`) 404; one taking an
`Idempotency-Key` 409; one with a body 400 and 413; one with any input 422 and 503. All of them are
`application/problem+json` with one shared `Problem` schema. A service states only what is particular to an
operation (`responses={409: {"description": ...}}`); a response it gives a model of its own (Open311's error
arrays) is left as it is. Creating operations get OpenAPI links to the operations that take the new id, so a
stateful client (or fuzzer) can follow them.

The document also says what an integrator's linter (Spectral with the OWASP API Top 10 rules,
`deploy/spectral/ruleset.yaml`) asks of any API: each operation's credential as a security scheme (`credentials.py`),
a description for each (the endpoint's docstring, else one made from its summary and who may call it), each
tag with a description (the docstring of the module declaring its routes), a contact, and the servers (this
deployment, at the address serving the document).
"""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from gridline.auth.rights import Right
from gridline.http import credentials
from gridline.http.deps import guard_of
from gridline.http.problems import MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; extensions (such as `existing_id`) may follow.",
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "a URI reference naming the kind of problem"},
        "title": {"type": "string", "description": "a short summary of the kind, in Simplified Chinese"},
        "status": {"type": "integer", "format": "int32", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "what went wrong with this request"},
        "instance": {"type": "string", "description": "the path of the request"},
        "errors": {
            "type": "array",
            "description": "one entry per invalid field",
            "items": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
                "required": ["path", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before retrying",
        "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 86400},
    }
}
DESCRIPTIONS = {
    400: "The request could not be read",
    401: "No valid bearer token",
    403: "Your role does not allow this action",
    404: "Unknown, or outside your jurisdiction",
    409: "Conflicts with existing data, or the Idempotency-Key was used with another body",
    410: "Gone",
    413: "The body is larger than this operation accepts",
    422: "Invalid input: `errors` names each field",
    429: "Too many requests from this caller",
    500: "An unexpected failure on our side (the body never carries a stack trace)",
    503: "The database is briefly unavailable",
}
CONTACT = {"name": "Gridline platform team"}  # who answers for the API; integrators are given the address
UNTAGGED = "operations"
UNTAGGED_DESCRIPTION = "Health, readiness and metrics of this service, for its operators and their probes."
_FASTAPI_VALIDATION = {"HTTPValidationError", "ValidationError"}


def install(app: FastAPI) -> None:
    """Generate the app's OpenAPI document once, completed as described above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            routes = api_routes(app)
            complete(FastAPI.openapi(app), routes)
            describe(app.openapi_schema or {}, routes, environment=_environment(app))
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(schema: dict[str, Any], routes: dict[str, APIRoute]) -> None:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            route = routes.get(operation.get("operationId", ""))
            operation["security"] = credentials.requirements(operation, route, schemas)
            _document_problems(path, operation, route, schemas)
            _stream_schema(operation)
            for parameter in operation.get("parameters", []):
                _drop_null(parameter)
    used = {
        name
        for operations in schema.get("paths", {}).values()
        for op in operations.values()
        for requirement in op.get("security", [])
        for name in requirement
    }
    schemes = schema["components"].setdefault("securitySchemes", {})
    schemes.update({name: scheme for name, scheme in credentials.SCHEMES.items() if name in used})
    _implied_bounds(schema)
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    add_links(schema)


def problem_codes(path: str, operation: dict[str, Any], route: APIRoute | None, schemas: dict[str, Any]) -> set[int]:
    """The problem statuses an operation can answer, read from what it takes and what guards it."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    codes = {500}
    if route is not None and isinstance(guard_of(route), Right):
        codes |= {401, 403, 429}
    security = operation.get("security", [])
    if {credentials.SIGNED: []} in security or {credentials.LINK: []} in security:
        codes |= {401, 429}  # a bad signature or link; each signed client or link is counted like a caller
    if "{" in path or _names_a_record(operation, schemas):
        codes.add(404)
    if any(p["in"] == "header" and p["name"].lower() == "idempotency-key" for p in parameters):
        codes.add(409)
    if has_body:
        codes |= {400, 413}
    if parameters or has_body:
        codes |= {422, 503}
    return codes


def _names_a_record(operation: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Whether the input names a record or division (`grid_id`, `community_code`, `division`...): unknown, or
    outside the caller's jurisdiction, it is 404."""
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    for media in operation.get("requestBody", {}).get("content", {}).values():
        body = media.get("schema", {})
        body = schemas.get(str(body.get("$ref", "")).rsplit("/", 1)[-1], body)
        names += list(body.get("properties", {}))
    return any(_RECORD_NAME.search(name) for name in names)


# `communities` (a helper's list of community codes) names divisions as much as `community_code` does.
_RECORD_NAME = re.compile(r"(_id|_ids|_code|_codes|^division|^communities)$")


def _document_problems(path: str, operation: dict[str, Any], route: APIRoute | None, schemas: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    success = next((r for code, r in sorted(responses.items()) if code.startswith("2") and "content" in r), None)
    for problem in problem_codes(path, operation, route, schemas):
        responses.setdefault(str(problem), {})
    for code, response in responses.items():
        status = int(code) if code.isdigit() else 0
        if status >= 400 and _generic(response):
            response["description"] = _description(response, status)
            response["content"] = {MEDIA_TYPE: {"schema": PROBLEM_REF}}
            if status in (429, 503):
                response.setdefault("headers", {}).update(RETRY_AFTER)
        elif 200 <= status < 300 and "content" not in response and success is not None and status != 204:
            # Another success status (a retry answered with the first result) sends the same body.
            response["content"] = success["content"]


def _generic(response: dict[str, Any]) -> bool:
    """No body of its own: nothing stated, or FastAPI's default validation error."""
    content = response.get("content")
    if not content:
        return True
    refs = {str(c.get("schema", {}).get("$ref", "")).rsplit("/", 1)[-1] for c in content.values()}
    return refs <= _FASTAPI_VALIDATION and bool(refs)


def _description(response: dict[str, Any], status: int) -> str:
    given = response.get("description", "")
    if not given or given == "Validation Error":
        return DESCRIPTIONS.get(status, "Problem")
    return str(given)


def _drop_null(parameter: dict[str, Any]) -> None:
    """An optional parameter's `anyOf: [X, null]` is X: a query or header value is absent or a string, never
    JSON null, and the parameter is already marked not required."""
    schema = parameter.get("schema", {})
    branches = schema.get("anyOf", [])
    kept = [b for b in branches if b.get("type") != "null"]
    if len(kept) == 1 and len(branches) == 2:
        del schema["anyOf"]
        schema.update({**kept[0], **{k: v for k, v in schema.items() if k not in kept[0]}})


INT32_MAX = 2**31 - 1


def _implied_bounds(node: Any) -> None:
    """State the bounds a schema already enforces: an integer's format (int32 when its bounds fit, else int64,
    what MongoDB stores), and the `maxLength` an anchored, bounded `pattern` implies (`^\\d{12}$` is 12)."""
    if isinstance(node, dict):
        if node.get("type") == "integer" and "format" not in node:
            fits = node.get("minimum", -(2**63)) >= -INT32_MAX - 1 and node.get("maximum", 2**63) <= INT32_MAX
            node["format"] = "int32" if fits else "int64"
        if node.get("type") == "string" and "maxLength" not in node and isinstance(node.get("pattern"), str):
            longest = pattern_max_length(node["pattern"])
            if longest is not None:
                node["maxLength"] = longest
        for value in node.values():
            _implied_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _implied_bounds(value)


def pattern_max_length(pattern: str) -> int | None:
    """The longest string a pattern anchored at both ends matches, or None if unanchored or unbounded."""
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        return None
    try:
        longest = int(re._parser.parse(pattern).getwidth()[1])  # type: ignore[attr-defined]
    except re.error:
        return None
    return longest if longest < 2**16 else None


def _stream_schema(operation: dict[str, Any]) -> None:
    """A server-sent event stream's `itemSchema` (OpenAPI 3.2) becomes what 3.1 can say: a text body, with the
    schema of each event kept as an extension for readers that know it."""
    for response in operation.get("responses", {}).values():
        media = response.get("content", {}).get("text/event-stream")
        if media is not None and "itemSchema" in media:
            media["x-itemSchema"] = media.pop("itemSchema")
            media.setdefault(
                "schema",
                {
                    "type": "string",
                    "description": "server-sent events (`event:`, `id:`, `data:` lines), one per change",
                },
            )


def describe(schema: dict[str, Any], routes: dict[str, APIRoute], *, environment: str) -> None:
    """Servers, contact, tags with descriptions, and a description for every operation."""
    schema.setdefault("servers", [server(environment)])
    schema.setdefault("info", {}).setdefault("contact", CONTACT)
    tags: dict[str, str] = {t["name"]: t.get("description", "") for t in schema.get("tags", [])}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            route = routes.get(operation.get("operationId", ""))
            operation.setdefault("tags", [UNTAGGED])
            for tag in operation["tags"]:
                tags[tag] = tags.get(tag) or _module_summary(route) or (UNTAGGED_DESCRIPTION if tag == UNTAGGED else "")
            if not operation.get("description"):
                operation["description"] = _made_description(operation, route)
    schema["tags"] = [{"name": name, "description": text or f"Operations on {name}."} for name, text in tags.items()]


ENVIRONMENT_NAMES = {"development": "local development", "test": "test", "production": "production"}


def server(environment: str) -> dict[str, Any]:
    # No service knows the public address it is reached at (a proxy or gateway may front it), so the server is
    # the one serving this document; `x-internal: false` because integrators are given it. The description
    # names the environment in the words linters look for (local, test, production).
    return {
        "url": "/",
        "description": f"this {ENVIRONMENT_NAMES.get(environment, environment)} deployment, at the address "
        "serving this document",
        "x-internal": False,
    }


def _environment(app: FastAPI) -> str:
    runtime = getattr(app.state, "runtime", None)
    return str(getattr(getattr(runtime, "settings", None), "environment", "production"))


def _module_summary(route: APIRoute | None) -> str:
    """The first paragraph of the docstring of the module declaring the route."""
    module = sys.modules.get(getattr(route.endpoint, "__module__", "")) if route is not None else None
    text = inspect.cleandoc(module.__doc__ or "") if module is not None else ""
    text = " ".join(text.split("\n\n", 1)[0].split()).removeprefix("HTTP adapter for ")
    return text[:1].upper() + text[1:]


def _made_description(operation: dict[str, Any], route: APIRoute | None) -> str:
    """A description from what the route shows: its summary, who may call it, how it treats a retry."""
    summary = str(operation.get("summary", operation.get("operationId", ""))).rstrip(".")
    parts = [f"{summary[:1].upper()}{summary[1:]}" + ("" if summary.endswith(("。", "）", ")")) else ".")]
    guard = guard_of(route) if route is not None else None
    if isinstance(guard, Right):
        parts.append(f"Allowed roles: {', '.join(sorted(guard))}; within the caller's jurisdiction.")
    elif not credentials.takes_credentials(operation.get("security", [])):
        parts.append("Public: no credentials are needed.")
    if any(p["name"].lower() == "idempotency-key" for p in operation.get("parameters", [])):
        parts.append("With an `Idempotency-Key`, a retry answers the first result.")
    return " ".join(parts)


def add_links(schema: dict[str, Any]) -> None:
    """Link each creating POST to every operation on the created resource's path, passing the new `id`."""
    paths = schema.get("paths", {})
    for collection, operations in paths.items():
        create = operations.get("post")
        if create is None:
            continue
        targets = _resource_operations(paths, collection)
        for code, response in create.get("responses", {}).items():
            if code.startswith("2") and targets and _has_id(schema, response):
                response["links"] = {
                    target["operationId"]: {
                        "operationId": target["operationId"],
                        "parameters": {parameter: "$response.body#/id"},
                        "description": f"the created resource's `id` as `{parameter}`",
                    }
                    for parameter, target in targets
                }


def _resource_operations(paths: dict[str, Any], collection: str) -> list[tuple[str, dict[str, Any]]]:
    """Operations whose path is `collection/{one parameter}` (and, optionally, further fixed segments)."""
    pattern = re.compile(re.escape(collection) + r"/\{(\w+)\}(/[\w.-]+)*$")
    found = []
    for path, operations in paths.items():
        match = pattern.match(path)
        if match and "{" not in collection:
            found += [(match.group(1), op) for op in operations.values() if "operationId" in op]
    return found


def _has_id(schema: dict[str, Any], response: dict[str, Any]) -> bool:
    body = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = body.get("$ref", "")
    if ref:
        body = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    return "id" in body.get("properties", {})


def api_routes(app: FastAPI) -> dict[str, APIRoute]:
    """Each operation's route, by operationId (included routers hold their routes as they were declared)."""
    routes = (context.original_route for context in iter_route_contexts(app.routes))
    return {r.operation_id: r for r in routes if isinstance(r, APIRoute) and r.operation_id}
