"""Request limits on the public booking routes: per phone and per address, so one number or one client
cannot flood residents with texts or hold every slot. Counted per replica (as `gridline.http.rate_limits`);
the code store's own resend interval holds across replicas.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from gridline.http.rate_limits import RateLimits

from duty.settings import DutySettings


class BookingLimits:
    def __init__(self, settings: DutySettings) -> None:
        self._per_phone = RateLimits(settings.booking_limit_per_phone)
        self._per_address = RateLimits(settings.booking_limit_per_address)

    def admit(self, *, phone_key: str, address: str) -> None:
        """Count one request; 429 with `Retry-After` past either limit."""
        self._per_address.admit(f"address:{address}")
        self._per_phone.admit(f"phone:{phone_key}")


async def booking_limits(request: Request) -> BookingLimits:
    limits: BookingLimits = request.app.state.booking_limits
    return limits


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


LimitsDep = Annotated[BookingLimits, Depends(booking_limits)]
AddressDep = Annotated[str, Depends(client_address)]
