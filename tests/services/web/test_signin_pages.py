"""Where the pages send a worker whose sign-in has lapsed: a page asked for is redirected, a form sent gets a
page of ours that moves on, since a form may not reach the identity provider by a redirect (form-action)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Mount, Router
from starlette.staticfiles import StaticFiles
from web.errors import _to_signin
from web.main import POLICY


def request(method: str, path: str, *, referer: str | None = None) -> Request:
    headers = [(b"host", b"pages.example")] + ([(b"referer", referer.encode())] if referer else [])
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": headers,
        "scheme": "http",
        "server": ("pages.example", 80),
        "session": {},
        "router": Router(routes=[Mount("/static", app=StaticFiles(directory="."), name="static")]),
    }
    return Request(scope)


def test_the_pages_forms_may_post_to_the_pages_only() -> None:
    assert "form-action 'self';" in POLICY


def test_a_page_asked_for_with_a_lapsed_sign_in_is_redirected_to_sign_in_and_back() -> None:
    answer = _to_signin(request("GET", "/desk"))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/desk"


def test_a_form_sent_with_a_lapsed_sign_in_gets_a_page_that_moves_on_to_sign_in() -> None:
    answer = _to_signin(request("POST", "/people/new", referer="http://pages.example/people/new"))
    assert answer.status_code == 200, "a redirect would be held to form-action all the way to the provider"
    assert answer.headers["cache-control"] == "no-store"
    page = bytes(answer.body).decode()
    assert "content=\"0; url='/signin?next=/people/new'\"" in page
    assert 'href="/signin?next=/people/new"' in page
    assert "登录已过期" in page
