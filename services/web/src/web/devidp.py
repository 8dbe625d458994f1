"""A development identity provider for the seeded demo users: OpenID Connect code flow with PKCE (S256).

It signs with the local issuer's key (the one `./deploy/dev up` made and the services trust), so a demo user
signs in with one tap and nothing else installed. It is refused in production (see WebSettings); compose runs
Keycloak instead, through the very same client code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jwt
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from gridline.auth.issuer import JWKS_FILE, PRIVATE_KEY_FILE, issue_token

from web.session import CsrfChecked
from web.settings import WebSettings
from web.templating import render

CODE_TTL_SECONDS = 60
TOKEN_TTL_SECONDS = 8 * 3600


@dataclass(frozen=True)
class DemoUser:
    subject: str
    name: str
    role: str
    jurisdiction: str
    what: str


DEMO_USERS = (
    DemoUser("demo-grid-worker-1", "王芳", "grid_worker", "330106001001", "曙光社区网格员"),
    DemoUser("demo-community-admin-1", "陈建国", "community_admin", "330106001001", "曙光社区管理员"),
    DemoUser("demo-duty-officer-1", "刘洋", "duty_officer", "330106001001", "曙光社区值班员"),
    DemoUser("demo-social-worker-1", "吴社工", "social_worker", "330106001001", "社工（已登记为帮扶人员）"),
    DemoUser("demo-volunteer-1", "周红梅", "volunteer", "330106001001", "党员志愿者（已登记为帮扶人员）"),
    DemoUser("demo-township-officer-1", "孙立", "township_officer", "330106001", "北山街道干部"),
    DemoUser("demo-county-officer-1", "赵敏", "county_officer", "330106", "西湖区民政干部"),
)


@dataclass(frozen=True)
class _Grant:
    user: DemoUser
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    expires: float


def router(settings: WebSettings) -> APIRouter:
    keys = Path(settings.dev_signin_keys)
    base = f"{settings.public_url}/dev-idp"
    grants: dict[str, _Grant] = {}
    api = APIRouter(prefix="/dev-idp", include_in_schema=False)

    @api.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": settings.auth_issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid", "profile"],
        }

    @api.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return dict(json.loads((keys / JWKS_FILE).read_text()))

    @api.get("/authorize", response_class=HTMLResponse)
    async def choose(request: Request) -> HTMLResponse:
        params = _authorize_params(dict(request.query_params), settings)
        return render(request, "devidp.html", users=DEMO_USERS, params=params)

    @api.post("/authorize", dependencies=[CsrfChecked])
    async def grant(request: Request, subject: Annotated[str, Form()]) -> RedirectResponse:
        form = await request.form()
        params = _authorize_params({k: str(v) for k, v in form.items()}, settings)
        user = next((u for u in DEMO_USERS if u.subject == subject), None)
        if user is None:
            raise HTTPException(400, "unknown demo user")
        now = time.time()
        for stale in [c for c, g in grants.items() if g.expires < now]:
            grants.pop(stale, None)
        code = secrets.token_urlsafe(24)
        grants[code] = _Grant(
            user,
            params["client_id"],
            params["redirect_uri"],
            params["code_challenge"],
            params.get("nonce"),
            now + CODE_TTL_SECONDS,
        )
        answer = {"code": code, **({"state": params["state"]} if params.get("state") else {})}
        separator = "&" if "?" in params["redirect_uri"] else "?"
        return RedirectResponse(f"{params['redirect_uri']}{separator}{urlencode(answer)}", status_code=303)

    @api.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        found = grants.pop(form.get("code", ""), None)  # a code is good once
        if (
            found is None
            or found.expires < time.time()
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != found.redirect_uri
            or form.get("client_id", found.client_id) != found.client_id
            or _s256(form.get("code_verifier", "")) != found.challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(_tokens(keys, settings, found), headers={"Cache-Control": "no-store"})

    return api


def _authorize_params(params: dict[str, str], settings: WebSettings) -> dict[str, str]:
    """The request's parameters, refused unless they ask for a code with S256 PKCE back to these pages."""
    if params.get("response_type") != "code" or params.get("code_challenge_method") != "S256":
        raise HTTPException(400, "only the authorization code flow with PKCE (S256) is offered")
    if not params.get("code_challenge") or params.get("client_id") != settings.oidc_client_id:
        raise HTTPException(400, "unknown client or missing code_challenge")
    if not params.get("redirect_uri", "").startswith(f"{settings.public_url}/"):
        raise HTTPException(400, "redirect_uri must return to these pages")
    keep = ("response_type", "client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method")
    return {k: params[k] for k in keep if k in params}


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _tokens(keys: Path, settings: WebSettings, grant: _Grant) -> dict[str, Any]:
    user = grant.user
    access = issue_token(
        keys,
        subject=user.subject,
        roles=[user.role],
        jurisdiction=user.jurisdiction,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        ttl_seconds=TOKEN_TTL_SECONDS,
        extra={"name": user.name},
    )
    now = int(time.time())
    id_claims: dict[str, Any] = {
        "iss": settings.auth_issuer,
        "aud": grant.client_id,
        "sub": user.subject,
        "iat": now,
        "exp": now + TOKEN_TTL_SECONDS,
        "name": user.name,
    }
    if grant.nonce:
        id_claims["nonce"] = grant.nonce
    kid = json.loads((keys / JWKS_FILE).read_text())["keys"][0]["kid"]
    id_token = jwt.encode(id_claims, (keys / PRIVATE_KEY_FILE).read_bytes(), algorithm="ES256", headers={"kid": kid})
    return {"access_token": access, "id_token": id_token, "token_type": "Bearer", "expires_in": TOKEN_TTL_SECONDS}
