"""Who may do what: one guard on every route, CSRF on every unsafe request, sign-in."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from realist.services import accounts
from realist.store import Store
from realist.web import WebConfig, create_app
from realist.web.auth import Allow, Public
from realist.web.routers import ROUTERS
from web.conftest import Client
from web.kit import LOCAL, PASSWORD, csrf_of, sign_in, token


def _guards(route: APIRoute) -> list[object]:
    found, todo = [], list(route.dependant.dependencies)
    while todo:
        dep = todo.pop()
        todo += dep.dependencies
        if isinstance(dep.call, Allow | Public):
            found.append(dep.call)
    return found


def test_every_route_has_exactly_one_guard() -> None:
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 30
    assert all(isinstance(r, APIRoute) for router in ROUTERS for r in router.routes)
    for route in routes:
        assert len(_guards(route)) == 1, f"{route.path} {route.methods}"


def test_post_without_or_with_a_wrong_csrf_token_is_refused(client_for: Client) -> None:
    client = client_for()
    good = token(client)
    form = {"record_id": "1", "stage": "title_abstract", "decision": "include"}
    assert client.post("/screening/decide", data=form).status_code == 403
    wrong = client.post("/screening/decide", data=form | {"csrf_token": good[:-2] + "xx"})
    assert wrong.status_code == 403
    assert "CSRF" in wrong.text
    header = client.post("/api/screening/undo", json={}, headers={"X-CSRF-Token": "nope"})
    assert header.status_code == 403
    assert header.json() == {"error": "wrong CSRF token: reload the page and try again"}
    assert client.post("/api/screening/undo", json={}).status_code == 403
    ok = client.post("/screening/decide", data=form | {"csrf_token": good}, follow_redirects=False)
    assert ok.status_code == 303
    assert client.post("/api/screening/undo", json={}, headers={"X-CSRF-Token": good}).is_success


def test_a_token_from_another_session_is_refused(client_for: Client) -> None:
    first, second = client_for(), client_for()
    stolen = token(first)
    token(second)  # the second session has a token of its own
    response = second.post("/api/screening/undo", json={}, headers={"X-CSRF-Token": stolen})
    assert response.status_code == 403


def test_shared_server_requires_sign_in(client_for: Client) -> None:
    client = client_for(local=False)
    page = client.get("/screening?stage=full_text", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/screening%3Fstage%3Dfull_text"
    assert client.get("/api/dashboard").status_code == 401
    assert client.get("/api/openapi.json").status_code == 401
    htmx = client.get("/screening/card", headers={"HX-Request": "true"})
    assert htmx.status_code == 401
    assert htmx.headers["HX-Redirect"].startswith("/login")


def test_sign_in_with_argon2_then_sign_out(client_for: Client) -> None:
    client = client_for(local=False)
    login = client.get("/login")
    assert 'name="password"' in login.text
    wrong = client.post(
        "/login",
        data={"reviewer": "bob", "password": "not it at all", "csrf_token": csrf_of(login.text)},
    )
    assert wrong.status_code == 401
    assert "do not match" in wrong.text
    sign_in(client, "bob")
    me = client.get("/api/session").json()
    assert (me["reviewer"], me["role"], me["local"]) == ("bob", "reviewer", False)
    assert "Signed in as" in client.get("/").text
    client.post("/logout", data={"csrf_token": token(client)})
    assert client.get("/api/session").status_code == 401


def test_sign_in_redirects_only_within_the_site(client_for: Client) -> None:
    client = client_for(local=False)
    page = client.get("/login")
    data = {"reviewer": "bob", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    response = client.post(
        "/login", data=data | {"next": "//evil.example/"}, follow_redirects=False
    )
    assert response.headers["location"] == "/"


def test_changing_a_password_ends_older_sessions(client_for: Client, web_review: Store) -> None:
    client = client_for(local=False)
    sign_in(client, "bob")
    assert client.get("/api/session").status_code == 200
    accounts.add_account(web_review, "bob", "a brand new password")
    assert client.get("/api/session").status_code == 401


def test_sessions_outlive_a_restart_of_the_server(
    client_for: Client, web_review: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client_for(local=False)
    sign_in(first, "bob")
    cookies = dict(first.cookies)
    restarted = client_for(local=False)  # a new app: what a restarted server builds
    restarted.cookies.update(cookies)
    assert restarted.get("/api/session").json()["reviewer"] == "bob"
    # Renewing the review's secret ends every session; so does another key given by hand.
    accounts.session_secret(web_review, renew=True)
    renewed = client_for(local=False)
    renewed.cookies.update(cookies)
    assert renewed.get("/api/session").status_code == 401
    monkeypatch.setenv("REALIST_SECRET_KEY", "a key given to every server of the team")
    given = client_for(local=False)
    sign_in(given, "bob")
    other = client_for(local=False)
    other.cookies.update(dict(given.cookies))
    assert other.get("/api/session").json()["reviewer"] == "bob"


def test_session_cookie_flags(web_review: Store) -> None:
    config = WebConfig.for_host(web_review.target, "0.0.0.0")
    assert (config.local, config.secure_cookies) == (False, True)
    client = TestClient(create_app(config, store=web_review), base_url="https://review.example")
    cookie = client.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert WebConfig.for_host(web_review.target, "127.0.0.1").local


def test_local_server_refuses_other_host_names(web_review: Store) -> None:
    """A page on evil.example whose name resolves to 127.0.0.1 must not reach the review."""
    app = create_app(WebConfig(target=web_review.target), store=web_review)
    assert TestClient(app, base_url=LOCAL).get("/").status_code == 200
    assert TestClient(app, base_url="http://localhost:8765").get("/").status_code == 200
    assert TestClient(app, base_url="http://evil.example:8765").get("/").status_code == 400
