"""Schemathesis hooks for the fuzz test: every case carries a bearer token, taken in turn from the roles and
jurisdictions the test issued.

Most cases get a role the operation admits, so the fuzzer reaches the services' rules instead of stopping at
403; every few cases a role without the right, so the refusal is exercised too. Each role and jurisdiction is
its own token subject, so each is its own caller for the per-caller rate limit. The test writes the plan to the
file `GRIDLINE_FUZZ_PLAN` names: `{"tokens": {role: {jurisdiction: token}}, "rights": {operationId: [role]}}`.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

import schemathesis

PLAN: dict[str, Any] = json.loads(Path(os.environ["GRIDLINE_FUZZ_PLAN"]).read_text())
OUTSIDER_EVERY = 8
_turn = itertools.count()


def token_for(operation_id: str, turn: int) -> str | None:
    """The token of this turn: of an admitted role, or every `OUTSIDER_EVERY`th turn of a role without it."""
    admitted = PLAN["rights"].get(operation_id)
    if admitted is None:
        return None  # a public operation: its caller proves itself otherwise, or not at all
    tokens: dict[str, dict[str, str]] = PLAN["tokens"]
    outsiders = [r for r in tokens if r not in admitted]
    roles = outsiders if outsiders and turn % OUTSIDER_EVERY == OUTSIDER_EVERY - 1 else admitted
    by_jurisdiction = tokens[roles[turn % len(roles)]]
    jurisdictions = sorted(by_jurisdiction)
    return by_jurisdiction[jurisdictions[(turn // len(roles)) % len(jurisdictions)]]


@schemathesis.auth(refresh_interval=None)
class RoleTokens:
    def get(self, case: Any, context: Any) -> str | None:
        return token_for(str(context.operation.definition.raw.get("operationId", "")), next(_turn))

    def set(self, case: Any, data: str | None, context: Any) -> None:
        if data is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
