"""Declaring and lifting medium- and high-risk areas."""

from __future__ import annotations

from gridline.mongo import Index

from registry.rules.snapshot import RISK_AREAS

COLLECTION = RISK_AREAS
INDEXES = [Index(COLLECTION, (("division_code", 1),)), Index(COLLECTION, (("lifted_at", 1),))]
