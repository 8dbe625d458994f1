"""Workers sign in through the real Keycloak with the realm file compose imports, and the services trust it.

Keycloak runs from its server distribution (`gridline.devstack.keycloak`), imports
deploy/compose/keycloak/gridline-realm.json with WEB_PUBLIC_URL set to these pages, and the four services are
told its issuer and keys instead of the test's own: a desk that lists duty's incidents after signing in
proves the realm's roles, jurisdiction and audience are what the services check.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from secrets import token_urlsafe
from typing import Any

import httpx
import pytest
from gridline.devstack import keycloak as kc
from gridline.devstack import servers
from gridline.testing import Sandbox, Secrets, Servers
from playwright.async_api import Browser, Page, expect

from tests.integration.care_world import ALERT_RAISED, deliver, fever
from tests.integration.pages import Site, phone, screenshot
from tests.integration.served import API_SERVICES, IdentityProvider, serve_platform

pytestmark = pytest.mark.integration
COMMUNITY = "330106001001"
MINUTE_MS = 60_000


@dataclass(frozen=True)
class Realm:
    """The running Keycloak and where the pages will be (the realm's redirect URIs name them)."""

    server: kc.Keycloak
    web_port: int

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def admin(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.server.admin_token()}"}
        return httpx.Client(base_url=f"{self.server.url}/admin/realms/{kc.REALM}", headers=headers, timeout=60)

    def add_user(
        self, username: str, password: str, *, roles: list[str], attributes: dict[str, list[str]], **names: str
    ) -> str:
        """A worker as an administrator adds one in the console: realm roles, attributes, a password."""
        with self.admin() as admin:
            created = admin.post(
                "/users",
                json={
                    "username": username,
                    "enabled": True,
                    **names,
                    "attributes": attributes,
                    "credentials": [{"type": "password", "value": password, "temporary": False}],
                },
            )
            assert created.status_code == 201, created.text
            user_id = created.headers["location"].rsplit("/", 1)[1]
            granted = [admin.get(f"/roles/{role}").raise_for_status().json() for role in roles]
            admin.post(f"/users/{user_id}/role-mappings/realm", json=granted).raise_for_status()
            return user_id


@pytest.fixture(scope="module")
async def stack(
    real_servers: Servers, secrets: Secrets, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Realm, Site]]:
    """Keycloak, and the platform with its pages signing in through it and its services trusting its tokens.

    Both start at once: the pages and the services ask Keycloak for its keys only when a token comes.
    """
    (web_port,) = servers.free_ports(1)
    state = tmp_path_factory.mktemp("keycloak")
    server = kc.launch(state, web_public_url=f"http://127.0.0.1:{web_port}")
    sandbox = Sandbox(real_servers, secrets)
    identity = IdentityProvider(metadata_url=server.metadata_url, issuer=server.issuer, jwks=server.jwks_url)
    try:
        await sandbox.create_topics()
        logs = tmp_path_factory.mktemp("kc-site-logs")
        with serve_platform(sandbox, logs=logs, web_port=web_port, identity=identity) as urls:
            await asyncio.to_thread(kc.wait_ready, server)
            yield Realm(server, web_port), Site(sandbox=sandbox, urls=urls)
    finally:
        kc.stop(state)
        await sandbox.drop(list(API_SERVICES))


@pytest.fixture(scope="module")
def realm(stack: tuple[Realm, Site]) -> Realm:
    return stack[0]


@pytest.fixture(scope="module")
def kc_site(stack: tuple[Realm, Site]) -> Site:
    return stack[1]


def test_compose_runs_the_keycloak_tested_here() -> None:
    compose = (servers.REPO / "docker-compose.yml").read_text()
    assert f"image: quay.io/keycloak/keycloak:{kc.KEYCLOAK_VERSION}\n" in compose


def test_the_realm_names_the_pages_from_the_environment(realm: Realm) -> None:
    """Keycloak's import substitutes ${WEB_PUBLIC_URL:...}: the client accepts these pages and nothing else."""
    with realm.admin() as admin:
        (client,) = admin.get("/clients", params={"clientId": "gridline-web"}).raise_for_status().json()
    assert client["redirectUris"] == [f"{realm.web}/signin/callback"]
    assert client["webOrigins"] == [realm.web]
    assert client["attributes"]["post.logout.redirect.uris"] == f"{realm.web}/"
    assert client["publicClient"] is True
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"


def test_the_user_profile_admits_only_a_jurisdiction(realm: Realm) -> None:
    with realm.admin() as admin:
        wrong = admin.post("/users", json={"username": "wrong-place", "attributes": {"jurisdiction": ["北山街道"]}})
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "jurisdiction"


async def sign_in_at_keycloak(page: Page, realm: Realm, username: str, password: str) -> None:
    await expect(page.locator("#kc-form-login")).to_be_visible(timeout=MINUTE_MS)
    assert page.url.startswith(f"{realm.server.issuer}/protocol/openid-connect/auth"), page.url
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#kc-login")


async def test_a_duty_officer_signs_in_at_keycloak_and_duty_lists_the_incidents(
    realm: Realm, kc_site: Site, browser: Browser
) -> None:
    password = token_urlsafe(12)
    officer = {"jurisdiction": [COMMUNITY]}
    realm.add_user("liuyang", password, roles=["duty_officer"], attributes=officer, lastName="刘", firstName="洋")
    await deliver(kc_site.sandbox, ALERT_RAISED, fever("person-kc", alert_id="alert-kc"), key="person-kc")

    blocked: list[str] = []
    context = await phone(browser, blocked)
    page = await context.new_page()
    await page.goto(f"{kc_site.web}/desk")
    await screenshot(page, "keycloak-login")
    await sign_in_at_keycloak(page, realm, "liuyang", password)
    await page.wait_for_url(f"{kc_site.web}/desk*", timeout=MINUTE_MS)
    await expect(page.locator("h1")).to_have_text("值班台")
    row = page.locator("li[data-incident-id]")
    await expect(row).to_contain_text("发热", timeout=MINUTE_MS)
    await screenshot(page, "keycloak-desk")
    # The realm role came as the `roles` claim (beside Keycloak's own, which the pages leave out), and the
    # name as written in Chinese.
    await expect(page.locator(".who")).to_have_text("刘洋（值班员）")
    home = await page.goto(kc_site.web)
    assert "值班台" in await page.locator("nav.menu a").all_inner_texts()
    # The sign-out form posts to these pages only, whether or not Keycloak answered when the page was made.
    assert home is not None
    assert "form-action 'self';" in home.headers["content-security-policy"]

    # Signing out ends Keycloak's session too: on a shared desk PC the next person meets the login form.
    async with page.expect_response(f"{kc_site.web}/signout") as signed_out:
        await page.click("form.signout button")
    leaving = await signed_out.value
    assert leaving.status == 200, "the pages' own page leads on to Keycloak, not a redirect held to form-action"
    assert leaving.headers["cache-control"] == "no-store"
    confirm = page.locator("#kc-logout")  # no id_token_hint is kept (the session cookie stays small)
    await expect(confirm).to_be_visible(timeout=MINUTE_MS)
    await confirm.click()
    await page.wait_for_load_state()
    await page.goto(f"{kc_site.web}/desk")
    await expect(page.locator("#kc-form-login")).to_be_visible(timeout=MINUTE_MS)
    await context.close()
    assert blocked == []


async def test_a_worker_without_a_jurisdiction_is_refused_cleanly(
    realm: Realm, kc_site: Site, browser: Browser
) -> None:
    """Made with the bare minimum (no name, no e-mail): Keycloak asks for no profile update, the pages refuse."""
    password = token_urlsafe(12)
    realm.add_user("nowhere", password, roles=["duty_officer"], attributes={})
    context = await phone(browser)
    page = await context.new_page()
    await page.goto(f"{kc_site.web}/desk")
    await sign_in_at_keycloak(page, realm, "nowhere", password)
    await page.wait_for_url(f"{kc_site.web}/signin/callback*", timeout=MINUTE_MS)
    await expect(page.locator("h1")).to_have_text("账号尚未开通")
    await screenshot(page, "keycloak-no-jurisdiction")
    # Signed in at Keycloak still: one more round trip ends on the same page, not in a loop of redirects.
    await page.goto(f"{kc_site.web}/desk")
    await expect(page.locator("h1")).to_have_text("账号尚未开通")
    await context.close()


def authorize(realm: Realm, **params: str) -> httpx.Response:
    verifier = token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query: dict[str, Any] = {
        "client_id": "gridline-web",
        "response_type": "code",
        "scope": "openid profile",
        "redirect_uri": f"{realm.web}/signin/callback",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **params,
    }
    return httpx.get(f"{realm.server.issuer}/protocol/openid-connect/auth", params=query, timeout=60)


def test_keycloak_sends_codes_only_to_these_pages_and_only_with_pkce(realm: Realm) -> None:
    assert authorize(realm).status_code == 200, "the login form, for the pages' own callback"
    elsewhere = authorize(realm, redirect_uri="https://evil.example/signin/callback")
    assert elsewhere.status_code == 400
    assert "location" not in elsewhere.headers
    without_pkce = authorize(realm, code_challenge="", code_challenge_method="")
    assert without_pkce.status_code == 302
    refused = httpx.URL(without_pkce.headers["location"])
    assert str(refused).startswith(f"{realm.web}/signin/callback")
    assert refused.params["error"] == "invalid_request"
