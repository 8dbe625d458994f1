"""Sign-in through OpenID Connect (authorization code with PKCE), sign-out, and where to go afterwards."""

from __future__ import annotations

from typing import Any

import jwt
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from gridline.auth.principal import valid_jurisdiction

from web.session import CsrfChecked, remember
from web.settings import WebSettings
from web.templating import moving_on, render

router = APIRouter(include_in_schema=False)


def identity_provider(settings: WebSettings) -> Any:
    oauth = OAuth()
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
    return oauth.register(
        name="idp",
        client_id=settings.oidc_client_id,
        client_secret=secret,
        server_metadata_url=settings.metadata_url,
        client_kwargs={
            "scope": "openid profile",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post" if secret else "none",
        },
    )


def safe_next(value: str | None) -> str:
    """Only a path on these pages: never another site (an open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def display_name(claims: dict[str, Any]) -> str:
    """A Chinese name as it is written, family name first and no space (刘洋): an identity provider's `name`
    joins given and family name the Western way (Keycloak's says 洋 刘)."""
    family, given = claims.get("family_name"), claims.get("given_name")
    if isinstance(family, str) and isinstance(given, str) and family and given and _han(family + given):
        return family + given
    return str(claims.get("name") or claims.get("preferred_username") or claims["sub"])


def _han(text: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" or c == "·" for c in text)


@router.get("/signin")
async def signin(request: Request, next: str | None = None) -> Response:
    request.session["next"] = safe_next(next)
    idp = request.app.state.idp
    return await idp.authorize_redirect(request, f"{request.app.state.settings.public_url}/signin/callback")  # type: ignore[no-any-return]


@router.get("/signin/callback", name="signin_callback")
async def callback(request: Request) -> Response:
    idp = request.app.state.idp
    try:
        answer = await idp.authorize_access_token(request)
    except OAuthError as exc:
        return render(request, "error.html", status_code=400, title="登录未完成", detail=str(exc.description or ""))
    access = answer["access_token"]
    claims = jwt.decode(access, options={"verify_signature": False})  # the services verify it on every call
    if not valid_jurisdiction(str(claims.get("jurisdiction", ""))):
        # The services refuse such a token on every call; signing in would only bounce back to the provider.
        detail = "您的账号还没有设置管辖范围（区划代码或网格）。请联系平台管理员在统一身份认证中设置后再登录。"
        return render(request, "error.html", status_code=403, title="账号尚未开通", detail=detail)
    identity = answer.get("userinfo") or {}
    target = safe_next(request.session.get("next"))
    remember(request, access_token=access, claims=claims, name=display_name({**claims, **identity}))
    return RedirectResponse(target, status_code=303)


@router.post("/signout", dependencies=[CsrfChecked])
async def signout(request: Request) -> Response:
    """End this session and the identity provider's too: on a shared desk PC the next person must sign in anew."""
    request.session.clear()
    idp = request.app.state.idp
    metadata = await idp.load_server_metadata()
    if not metadata.get("end_session_endpoint"):
        return RedirectResponse("/", status_code=303)
    settings = request.app.state.settings
    logout = await idp.create_logout_url(
        post_logout_redirect_uri=f"{settings.public_url}/", client_id=settings.oidc_client_id
    )
    # Not a redirect: the sign-out is a form, and a form may not leave these pages by a redirect.
    return moving_on(
        request,
        url=logout["url"],
        heading="您已退出本平台",
        detail="正在退出统一身份认证，以便下一位使用这台电脑的人重新登录……",
        link_text="继续退出",
    )
