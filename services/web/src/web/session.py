"""Who is signed in (from the session cookie), what they may see, and the CSRF token of their forms."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

ROLE_NAMES = {
    "grid_worker": "网格员",
    "community_admin": "社区管理员",
    "social_worker": "社工",
    "volunteer": "志愿者",
    "duty_officer": "值班员",
    "township_officer": "街道干部",
    "county_officer": "区县干部",
    "venue_staff": "场所工作人员",
    "platform_admin": "平台管理员",
}


@dataclass(frozen=True)
class User:
    subject: str
    name: str
    roles: frozenset[str]
    jurisdiction: str
    token: str

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def role_names(self) -> str:
        return "、".join(ROLE_NAMES.get(r, r) for r in sorted(self.roles))

    @property
    def community(self) -> str | None:
        """The 12-digit community the user works in, when their jurisdiction is one."""
        return self.jurisdiction if len(self.jurisdiction) == 12 else None


class SignInRequired(Exception):
    """No live session: the page sends the browser to sign in and brings it back."""


class Forbidden(Exception):
    """Signed in, but this page is for other roles."""


def remember(request: Request, *, access_token: str, claims: dict[str, Any], name: str) -> None:
    request.session.clear()
    request.session["user"] = {
        "sub": str(claims["sub"]),
        "name": name,
        # Only the platform's roles: Keycloak's claim also carries its own (default-roles-<realm>, offline_access).
        "roles": [r for r in claims.get("roles", []) if isinstance(r, str) and r in ROLE_NAMES],
        "jurisdiction": str(claims.get("jurisdiction", "")),
        "token": access_token,
        "exp": int(claims.get("exp", 0)),
    }
    request.session["csrf"] = secrets.token_urlsafe(24)


def current_user(request: Request) -> User | None:
    data = request.session.get("user")
    if not data or data.get("exp", 0) < time.time() + 30:
        return None
    return User(
        subject=data["sub"],
        name=data.get("name") or data["sub"],
        roles=frozenset(data.get("roles", [])),
        jurisdiction=data.get("jurisdiction", ""),
        token=data["token"],
    )


def signed_in(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise SignInRequired
    return user


def requires(*roles: str) -> Any:
    """A dependency giving the user, refusing anyone without one of `roles`."""

    def check(user: Annotated[User, Depends(signed_in)]) -> User:
        if roles and not user.has(*roles):
            raise Forbidden
        return user

    return Depends(check)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


async def check_csrf(request: Request) -> None:
    """Every state-changing form carries the session's token (a hidden field or the X-CSRF-Token header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        sent = str(form.get("csrf", ""))
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="表单已过期，请刷新页面后重试")


UserDep = Annotated[User, Depends(signed_in)]
CsrfChecked = Depends(check_csrf)
