"""Dependency aliases every service's views use: `DbDep`, `ClockDep`, `CurrentUser`, `require(...)`, `PUBLIC`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gridline.auth.principal import Principal
from gridline.auth.rights import Right
from gridline.auth.tokens import TokenError
from gridline.clock import Clock
from gridline.http.problems import Problem
from gridline.links import LinkSigner
from gridline.mongo import Database
from gridline.pii import Protector
from gridline.runtime import Runtime
from gridline.settings import ServiceSettings

_bearer = HTTPBearer(auto_error=False, description="JWT from the configured issuer")


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_db(runtime: RuntimeDep) -> Database:
    return runtime.database()


async def get_clock(runtime: RuntimeDep) -> Clock:
    return runtime.clock


async def get_protector(runtime: RuntimeDep) -> Protector:
    return runtime.protector


async def get_links(runtime: RuntimeDep) -> LinkSigner:
    return runtime.links


async def get_settings(runtime: RuntimeDep) -> ServiceSettings:
    return runtime.settings


async def get_jobs_wake(runtime: RuntimeDep) -> Callable[[], None]:
    """Lets a view start a just-scheduled job now instead of at the next poll."""
    return runtime.jobs.wake if runtime.jobs else (lambda: None)


DbDep = Annotated[Database, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
ProtectorDep = Annotated[Protector, Depends(get_protector)]
LinksDep = Annotated[LinkSigner, Depends(get_links)]
SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
WakeJobs = Annotated[Callable[[], None], Depends(get_jobs_wake)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        description="Retry-safe creation: the same key and body return the first result",
    ),
]


async def current_user(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    challenge = {"WWW-Authenticate": 'Bearer realm="gridline"'}
    if credentials is None:
        raise Problem(401, "a bearer token is required", type_="/problems/unauthenticated", headers=challenge)
    try:
        principal = runtime.verifier.verify(credentials.credentials)
    except TokenError as exc:
        raise Problem(401, f"invalid token: {exc}", type_="/problems/unauthenticated", headers=challenge) from exc
    runtime.rate_limits.admit(f"user:{principal.subject}")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


_GUARDS: dict[Callable[..., Any], Right] = {}


def require(right: Right) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency admitting callers holding any role of `right`; the route records which right guards it."""

    async def check(principal: CurrentUser) -> Principal:
        if not principal.has_any(right):
            raise Problem(403, "your role does not allow this action", type_="/problems/forbidden")
        return principal

    _GUARDS[check] = right
    return check


async def public() -> None:
    """Marks an operation that takes no bearer token: a public page, or one whose caller proves itself otherwise
    (a resident's signed link, a signed machine request, an Open311 key). Every other operation names a right."""


PUBLIC = Depends(public)


def guard_of(route: APIRoute) -> Right | Literal["public"] | None:
    """The right guarding a route, "public" for one marked public, None for one that says neither."""
    found: Right | Literal["public"] | None = None
    pending: list[Dependant] = [route.dependant]
    while pending:
        dependant = pending.pop()
        if dependant.call is public:
            found = found or "public"
        elif dependant.call in _GUARDS:
            found = _GUARDS[dependant.call]
        pending += dependant.dependencies
    return found
