"""RFC 9457 problem details for every error: never a stack trace, never a 500 for bad input."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from gridline import logs, mongo
from gridline.errors import DomainError
from gridline.links import LinkError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_TITLES = {
    400: "请求格式错误",
    401: "需要登录",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持的请求方法",
    409: "与现有数据冲突",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "提交的数据不符合要求",
    429: "请求过于频繁",
    500: "服务内部错误",
    503: "服务暂不可用",
}


class Problem(Exception):
    """Raise from anywhere in a request to answer with problem details."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = "about:blank",
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.title = title or _TITLES.get(status, "请求失败")
        self.errors = errors
        self.headers = headers
        self.extensions = extensions


def not_found(what: str = "resource") -> Problem:
    """Unknown and outside-your-jurisdiction look the same, so existence never leaks."""
    return Problem(404, f"{what} not found", type_="/problems/not-found")


def field_error(path: str, message: str, *, status: int = 422) -> Problem:
    return Problem(status, message, type_="/problems/validation", errors=[{"path": path, "message": message}])


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
    }
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extensions)
    return JSONResponse(body, status_code=problem.status, media_type=MEDIA_TYPE, headers=problem.headers)


def install(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_domain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        extensions = dict(exc.extensions)
        errors = extensions.pop("errors", None)
        problem = Problem(exc.status, exc.detail, type_=exc.type, errors=errors, **extensions)
        return problem_response(problem, request)

    async def on_link(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, LinkError)
        if exc.reason == "expired":
            problem = Problem(410, str(exc), type_="/problems/link-expired", title="链接已过期")
        else:
            problem = Problem(401, str(exc), type_="/problems/link-invalid", title="链接无效")
        return problem_response(problem, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{"path": _path(e["loc"]), "message": e["msg"]} for e in exc.errors()[:50]]
        detail = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:3])
        return problem_response(Problem(422, detail, type_="/problems/validation", errors=errors), request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(Problem(exc.status_code, str(exc.detail), headers=headers), request)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        if mongo.is_transient(exc):
            log.warning("database briefly unavailable on %s: %s", request.url.path, logs.error_text(exc))
            busy = Problem(503, "the database is briefly unavailable; please retry", headers={"Retry-After": "1"})
            return problem_response(busy, request)
        log.error("unhandled error on %s: %s", request.url.path, logs.error_text(exc))
        return problem_response(Problem(500, "an unexpected error occurred; it has been logged"), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(LinkError, on_link)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path. Starlette names only the first matching route's, and a
    resource whose GET and PATCH are two routes would otherwise claim to allow only one."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


def _path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] or parts
    return ".".join(parts) or "body"
