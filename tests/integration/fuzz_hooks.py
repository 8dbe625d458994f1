"""Schemathesis hooks for the fuzz test: every case carries a bearer token, taken in turn from the roles and
jurisdictions the test issued.

A case that names a resource made earlier in the run (the stateful phase follows a create's links with its id)
is sent by the caller that made it: another community's officer is rightly answered 404 for it, which is the
jurisdiction rule at work, not a created resource gone missing. Other cases mostly get a role the operation
admits, so the fuzzer reaches the services' rules instead of stopping at 403; every few cases a role without
the right, so the refusal is exercised too. Each role and jurisdiction is its own token subject, so each is its
own caller for the per-caller rate limit. The test writes the plan to the file `GRIDLINE_FUZZ_PLAN` names:
`{"tokens": {role: {jurisdiction: token}}, "rights": {operationId: [role]}}`.
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
# A resource id an answer to a create named -> the Authorization header of the caller that made it.
_made_by: dict[str, str] = {}


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


def named_ids(body: Any) -> list[str]:
    """The new resource's id, which the OpenAPI links carry on (`$response.body#/id`); the other ids an answer
    names are of resources made before, by whoever made them."""
    made = body.get("id") if isinstance(body, dict) else None
    return [made] if isinstance(made, str) and made else []


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    """Remember who made what: a created resource's ids, with the caller's token."""
    caller = (case.headers or {}).get("Authorization")
    if case.method.upper() != "POST" or not 200 <= response.status_code < 300 or not caller:
        return
    try:
        body = response.json()
    except ValueError:
        return
    for made in named_ids(body):
        _made_by.setdefault(made, caller)


def maker_of(case: Any) -> str | None:
    """The token of the caller that made a resource this case names in its path, if any did."""
    for value in (case.path_parameters or {}).values():
        made_by = _made_by.get(value) if isinstance(value, str) else None
        if made_by is not None:
            return made_by.removeprefix("Bearer ")
    return None


@schemathesis.auth(refresh_interval=None)
class RoleTokens:
    def get(self, case: Any, context: Any) -> str | None:
        return maker_of(case) or token_for(str(context.operation.definition.raw.get("operationId", "")), next(_turn))

    def set(self, case: Any, data: str | None, context: Any) -> None:
        if data is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
