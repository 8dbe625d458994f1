"""Calls to the four services, as the signed-in user (their token) or as an anonymous resident."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

SERVICES = ("registry", "monitoring", "care", "duty")
READY_TIMEOUT_SECONDS = 2.0


@dataclass
class ApiError(Exception):
    """A service said no: its status, its words, and field errors keyed by the field's name."""

    status: int
    title: str
    detail: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}"


class Unavailable(Exception):
    """A service did not answer (down, restarting, or too slow)."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service


class Api:
    """One service's API, with one shared connection pool."""

    def __init__(self, name: str, client: httpx.AsyncClient) -> None:
        self.name = name
        self._client = client

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        forwarded_for: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """The JSON body of a 2xx answer (None when empty); ApiError for a 4xx, Unavailable otherwise."""
        response = await self.raw(method, path, token=token, forwarded_for=forwarded_for, **kwargs)
        if not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    async def raw(
        self, method: str, path: str, *, token: str | None = None, forwarded_for: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        try:
            response = await self._client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable(self.name) from exc
        if response.status_code >= 500:
            raise Unavailable(self.name)
        if response.status_code >= 400:
            raise api_error(response)
        return response

    async def close(self) -> None:
        await self._client.aclose()

    async def ready(self) -> bool:
        try:
            return (await self._client.get("/readyz", timeout=READY_TIMEOUT_SECONDS)).status_code == 200
        except httpx.HTTPError:
            return False


def api_error(response: httpx.Response) -> ApiError:
    """The problem details of a refusal, with each field error under the field's own name."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    fields: dict[str, str] = {}
    for error in body.get("errors") or []:
        fields.setdefault(str(error.get("path", "")), str(error.get("message", "")))
    return ApiError(
        status=response.status_code,
        title=str(body.get("title") or response.reason_phrase),
        detail=str(body.get("detail") or ""),
        fields=fields,
    )


def clients(urls: dict[str, str], timeout: float) -> dict[str, Api]:
    return {name: Api(name, httpx.AsyncClient(base_url=url, timeout=timeout)) for name, url in urls.items()}
