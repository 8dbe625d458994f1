"""Request limits on the public booking routes, so one number or one client cannot flood residents with
texts or hold every slot, while a village whose households share one address (one Wi-Fi, one carrier NAT)
is never refused for that.

Abuse is stopped where it is aimed: per phone (requests a minute and an hour here; texts a day in
`gridline.notify`, across replicas; one code a minute in the code store), per slot (booking attempts), and
per code (five wrong tries kill it). The per-address limit is a last resort against one client's flood, set
far above what a village makes. Counted per replica (as `gridline.http.rate_limits`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from gridline.http.rate_limits import RateLimits

from duty.settings import DutySettings


class BookingLimits:
    def __init__(self, settings: DutySettings) -> None:
        self._per_phone = RateLimits(settings.booking_limit_per_phone)
        self._per_slot = RateLimits(settings.booking_limit_per_slot)
        self._per_address = RateLimits(settings.booking_limit_per_address)

    def admit(self, *, phone_key: str, address: str, slot_id: str | None = None) -> None:
        """Count one request; 429 with `Retry-After` past any limit. The narrow limits come first: a phone
        refused spends nothing of its address's allowance, which its neighbours share."""
        self._per_phone.admit(f"phone:{phone_key}")
        if slot_id is not None:
            self._per_slot.admit(f"slot:{slot_id}")
        self._per_address.admit(f"address:{address}")


async def booking_limits(request: Request) -> BookingLimits:
    limits: BookingLimits = request.app.state.booking_limits
    return limits


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


LimitsDep = Annotated[BookingLimits, Depends(booking_limits)]
AddressDep = Annotated[str, Depends(client_address)]
