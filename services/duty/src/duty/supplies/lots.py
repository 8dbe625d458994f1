"""Stock by lot, earliest expiry first: pure functions over `[{expires_on, quantity}]` (no I/O)."""

from __future__ import annotations

from datetime import date
from typing import Any


class NotEnoughStock(ValueError):
    """More would leave the store (or the lot) than it holds."""


def _order(lot: dict[str, Any]) -> tuple[int, str]:
    # Lots without an expiry date (thermometers) are used after every dated lot.
    return (1, "") if lot["expires_on"] is None else (0, lot["expires_on"])


def received(lots: list[dict[str, Any]], quantity: int, expires_on: date | None) -> list[dict[str, Any]]:
    key = expires_on.isoformat() if expires_on else None
    merged = [dict(lot) for lot in lots]
    for lot in merged:
        if lot["expires_on"] == key:
            lot["quantity"] += quantity
            return sorted(merged, key=_order)
    return sorted([*merged, {"expires_on": key, "quantity": quantity}], key=_order)


def taken(lots: list[dict[str, Any]], quantity: int, expires_on: date | None = None) -> list[dict[str, Any]]:
    """Take from one lot (when named) or from the earliest-expiring lots on."""
    key = expires_on.isoformat() if expires_on else None
    remaining, left = [], quantity
    for lot in sorted((dict(lot) for lot in lots), key=_order):
        if left and (expires_on is None or lot["expires_on"] == key):
            used = min(left, lot["quantity"])
            lot["quantity"] -= used
            left -= used
        if lot["quantity"]:
            remaining.append(lot)
    if left:
        raise NotEnoughStock("库存不足" if expires_on is None else f"该批次（{key} 到期）库存不足")
    return remaining


def total(lots: list[dict[str, Any]]) -> int:
    return sum(int(lot["quantity"]) for lot in lots)


def held(lots: list[dict[str, Any]], expires_on: str) -> int:
    return sum(int(lot["quantity"]) for lot in lots if lot["expires_on"] == expires_on)
