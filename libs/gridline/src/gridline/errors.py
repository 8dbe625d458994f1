"""Domain-neutral failures a service's rules raise; the HTTP layer turns them into problem details.

Service functions import these, never FastAPI, so the same rules serve views, handlers and scripts.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    type = "about:blank"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    """Unknown, or outside the caller's jurisdiction: the two look the same, so existence never leaks."""

    status = 404
    type = "/problems/not-found"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")


class Invalid(DomainError):
    """A field that passed the schema but breaks a rule (a wrong check digit, a grid of another community)."""

    status = 422
    type = "/problems/validation"

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}", errors=[{"path": path, "message": message}])


class Conflict(DomainError):
    """The change collides with existing state; extensions name the existing resource."""

    status = 409
    type = "/problems/conflict"
