"""Rights: the roles that may take one action, each named after the constant a service's rights table binds it to.

A route guarded by `require(right)` records that right, so the access a route grants can be read back from the
app (the access-matrix test does) instead of being copied by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping


class Right(frozenset[str]):
    """A set of roles with a name; `name_rights` names those of a rights module after their constants."""

    name: str

    def __new__(cls, roles: Iterable[str], name: str = "") -> Right:
        right = super().__new__(cls, roles)
        right.name = name
        return right

    def __repr__(self) -> str:
        return f"Right({self.name or '?'}: {', '.join(sorted(self))})"


def name_rights(namespace: MutableMapping[str, object]) -> dict[str, Right]:
    """Name every `Right` among a module's constants after its constant; call it last in the module.

    A right bound to two names would make one of them lie about what guards a route, so that is refused:
    an alias must be a right of its own, `Right(OTHER)`.
    """
    table: dict[str, Right] = {}
    for constant, value in namespace.items():
        if isinstance(value, Right) and constant.isupper():
            if value.name and value.name != constant:
                raise ValueError(f"{constant} and {value.name} are one right; make {constant} = Right({value.name})")
            value.name = constant
            table[constant] = value
    return table
