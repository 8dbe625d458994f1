"""Bearer-token authentication, rights per action, and confinement to the caller's jurisdiction."""

from gridline.auth.principal import Principal, Role, scope_keys
from gridline.auth.tokens import TokenError, TokenVerifier

__all__ = ["Principal", "Role", "TokenError", "TokenVerifier", "scope_keys"]
