"""Every operation the booking limits count documents its 429, so an integrator's client expects it."""

from __future__ import annotations

import typing
from pathlib import Path

from duty.appointments.limits import BookingLimits
from duty.main import create_app
from duty.settings import DutySettings
from fastapi.routing import APIRoute
from gridline.http.openapi import api_routes
from gridline.testing import Sandbox, Secrets, Servers


def counted_by_the_limits(route: APIRoute) -> bool:
    """The endpoint takes the booking limits (`LimitsDep`), so it can answer 429."""
    hints = typing.get_type_hints(route.endpoint, include_extras=True)
    return any(BookingLimits in typing.get_args(hint) for hint in hints.values())


def test_each_operation_counted_by_the_booking_limits_documents_429_with_retry_after(tmp_path: Path) -> None:
    # Only the document is read: nothing connects to these addresses.
    sandbox = Sandbox(Servers("127.0.0.1:9", "mongodb://127.0.0.1:9/"), Secrets(tmp_path))
    app = create_app(DutySettings(**sandbox.settings("duty")))
    document = app.openapi()
    limited = [op for op, route in api_routes(app).items() if counted_by_the_limits(route)]
    assert len(limited) >= 3, limited  # requesting a code, booking, cancelling
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if operation.get("operationId") in limited:
                answer = operation["responses"].get("429")
                assert answer is not None, f"{operation['operationId']} ({path}) does not document 429"
                assert "Retry-After" in answer.get("headers", {}), operation["operationId"]
