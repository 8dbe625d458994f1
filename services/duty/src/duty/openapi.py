"""Typing for the documented responses of a route (FastAPI's `responses=`)."""

from __future__ import annotations

from typing import Any

Responses = dict[int | str, dict[str, Any]]
