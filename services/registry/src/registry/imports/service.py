from __future__ import annotations

from gridline.jobs import JobKind
from gridline.mongo import Index

INDEXES: list[Index] = []
JOBS: list[JobKind] = []
