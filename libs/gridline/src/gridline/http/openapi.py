"""The OpenAPI document tells a client everything an operation can answer.

FastAPI documents the success body and its own 422 schema. Every service answers errors as RFC 9457 problem
details, so this completes each operation once, from what the route itself shows: a guarded route can answer
401, 403 and 429; one naming a record (a path parameter, a `*_id` or `*_code`) 404; one taking an
`Idempotency-Key` 409; one with a body 400 and 413; one with any input 422 and 503. All of them are
`application/problem+json` with one shared `Problem` schema. A service states only what is particular to an
operation (`responses={409: {"description": ...}}`); a response it gives a model of its own (Open311's error
arrays) is left as it is. Creating operations get OpenAPI links to the operations that take the new id, so a
stateful client (or fuzzer) can follow them.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from gridline.auth.rights import Right
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
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
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
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}}
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
    503: "The database is briefly unavailable",
}
_FASTAPI_VALIDATION = {"HTTPValidationError", "ValidationError"}


def install(app: FastAPI) -> None:
    """Generate the app's OpenAPI document once, completed as described above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            complete(FastAPI.openapi(app), api_routes(app))
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(schema: dict[str, Any], routes: dict[str, APIRoute]) -> None:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            route = routes.get(operation.get("operationId", ""))
            _document_problems(path, operation, route, schemas)
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    add_links(schema)


def problem_codes(path: str, operation: dict[str, Any], route: APIRoute | None, schemas: dict[str, Any]) -> set[int]:
    """The problem statuses an operation can answer, read from what it takes and what guards it."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    codes = set()
    if route is not None and isinstance(guard_of(route), Right):
        codes |= {401, 403, 429}
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


_RECORD_NAME = re.compile(r"(_id|_ids|_code|^division)$")


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
