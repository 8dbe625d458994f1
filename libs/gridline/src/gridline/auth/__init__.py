"""Bearer-token authentication, rights per action, and confinement to the caller's jurisdiction."""

from gridline.auth.principal import Principal, Role, scope_keys
from gridline.auth.rights import Right, name_rights
from gridline.auth.tokens import TokenError, TokenVerifier

__all__ = ["Principal", "Right", "Role", "TokenError", "TokenVerifier", "name_rights", "scope_keys"]
