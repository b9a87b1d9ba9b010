"""Sessions the server can end, and the sign-in throttle (issue 11, "Sessions and sign-in").

Each test here is a finding of the attack on a team server: it failed before the fix.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.cookiejar import CookieJar

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from realist.cli.web_commands import build_server
from realist.domain.review import ReviewerRole
from realist.services import accounts, reviewers, sign_in
from realist.store import Store, open_store
from realist.store import sessions as sessions_repo
from realist.store.sessions import sign_in_attempt
from realist.web import WebConfig, create_app
from web.conftest import Client
from web.kit import LOCAL, PASSWORD, csrf_of, token
from web.kit import sign_in as sign_in_as

WRONG = "not the password at all"


_APPS: dict[tuple[int, tuple[str, ...]], FastAPI] = {}


def _shared(
    store: Store, *, client: str = "testclient", proxies: tuple[str, ...] = ()
) -> TestClient:
    """A browser at address ``client`` on a shared server of ``store`` (one app per store:
    a throttle kept in one process's memory would pass these tests as well)."""
    app = _APPS.get((id(store), proxies))
    if app is None:
        config = WebConfig(
            target=store.target, local=False, allowed_hosts=("*",), trusted_proxies=proxies
        )
        app = _APPS[(id(store), proxies)] = create_app(config, store=store)
    return TestClient(app, base_url=LOCAL, client=(client, 50000))


@pytest.fixture(autouse=True)
def _forget_apps() -> Iterator[None]:
    yield
    _APPS.clear()


def _try(client: TestClient, reviewer: str, password: str, **headers: str) -> int:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"reviewer": reviewer, "password": password, "csrf_token": csrf_of(page.text)},
        headers=headers,
        follow_redirects=False,
    ).status_code


def _at_once(work: Callable[[int], None], count: int) -> None:
    """Run ``work(0)`` to ``work(count - 1)`` each in its own thread (the work meets at a
    barrier of its own), and wait for all."""
    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


# -- sessions ---------------------------------------------------------------------------


def test_a_copied_cookie_stops_working_after_sign_out(client_for: Client) -> None:
    mine = client_for(local=False)
    sign_in_as(mine, "bob")
    thief = client_for(local=False)
    thief.cookies.update(dict(mine.cookies))
    assert thief.get("/api/session").json()["reviewer"] == "bob"
    mine.post("/logout", data={"csrf_token": token(mine)})
    assert mine.get("/api/session").status_code == 401
    assert thief.get("/api/session").status_code == 401  # the copy died with the original


def test_sessions_are_shared_by_every_server_process(web_review: Store) -> None:
    """Two servers of one review (as --workers or two hosts): signing out on one ends the
    session on the other."""
    other_store = open_store(web_review.target)
    try:
        first, second = _shared(web_review), _shared(other_store)
        sign_in_as(first, "bob")
        second.cookies.update(dict(first.cookies))
        assert second.get("/api/session").json()["reviewer"] == "bob"
        second.post("/logout", data={"csrf_token": token(second)})
        assert first.get("/api/session").status_code == 401
    finally:
        other_store.close()


@pytest.mark.parametrize(
    "change",
    ["password", "role by account", "role by reviewer", "account removed", "retired"],
)
def test_changes_to_a_person_end_their_sessions(
    client_for: Client, web_review: Store, change: str
) -> None:
    client = client_for(local=False)
    sign_in_as(client, "bob")
    assert client.get("/api/session").status_code == 200
    if change == "password":
        accounts.add_account(web_review, "bob", "a brand new passphrase")
    elif change == "role by account":
        accounts.set_role(web_review, "bob", ReviewerRole.VIEWER, by="owner")
    elif change == "role by reviewer":
        reviewers.edit_reviewer(web_review, "bob", "owner", role=ReviewerRole.VIEWER)
    elif change == "account removed":
        accounts.remove_account(web_review, "bob", by="owner")
    else:
        reviewers.retire_reviewer(web_review, "bob", "owner")
    assert client.get("/api/session").status_code == 401
    assert sign_in.live_sessions(web_review, "bob") == 0


def test_the_session_row_decides_not_the_cookie(web_review: Store) -> None:
    client = _shared(web_review)
    sign_in_as(client, "bob")
    assert sign_in.live_sessions(web_review, "bob") == 1
    assert "bob" not in str(dict(client.cookies))  # the cookie names no one
    # The store keeps only the token's hash: no row is keyed by anything the cookie holds.
    with web_review.reading() as connection:
        ids = connection.execute(sa.text("SELECT id FROM web_session")).scalars().all()
    assert len(ids) == 1 and all(len(i) == 64 for i in ids)


def test_server_processes_starting_together_share_one_session_key(db_target: str) -> None:
    """Found by bench/web_load.py: two workers of `serve --workers 2` starting on a new
    PostgreSQL review both missed the session key and both stored one; the second died
    on the unique key, and the server ran on one process without a word."""
    from realist.services.reviews import init_review

    init_review(db_target, "New team review", "owner").close()
    stores = [open_store(db_target) for _ in range(6)]
    keys: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def start_server(n: int) -> None:
        start.wait()
        try:
            keys.append(accounts.session_secret(stores[n]))
        except BaseException as error:
            errors.append(error)

    try:
        _at_once(start_server, len(stores))
    finally:
        for store in stores:
            store.close()
    assert errors == [] and len(keys) == len(stores) and len(set(keys)) == 1


# -- the throttle ------------------------------------------------------------------------


def test_guessing_from_many_addresses_does_not_lock_out_a_known_browser(
    web_review: Store,
) -> None:
    """Finding: 10 wrong guesses from 10 addresses locked the owner out (for as long as
    guessing went on). A browser the owner signed in with before still gets in."""
    owner = _shared(web_review, client="192.0.2.10")
    sign_in_as(owner, "owner")
    owner.post("/logout", data={"csrf_token": token(owner)})
    for n in range(25):  # an attacker keeps guessing from ever new addresses
        attacker = _shared(web_review, client=f"198.51.100.{n}")
        assert _try(attacker, "owner", WRONG) in (401, 429)
    assert _try(owner, "owner", PASSWORD) == 303
    # An unknown browser is what waits (addresses are cheap, the device cookie is not).
    assert _try(_shared(web_review, client="192.0.2.99"), "owner", PASSWORD) == 429


def test_an_address_shared_by_everyone_is_not_counted_across_accounts(
    web_review: Store,
) -> None:
    """Finding: failures were counted per address across every key, so behind a proxy
    one person's typos (or an attacker's) locked everyone out."""
    office = "203.0.113.7"
    for who in ("vic", "nobody", "amy"):
        for _ in range(4):
            assert _try(_shared(web_review, client=office), who, WRONG) == 401
    assert _try(_shared(web_review, client=office), "bob", PASSWORD) == 303


def test_simultaneous_guesses_are_counted_before_any_is_checked(web_review: Store) -> None:
    """Finding: after 9 failures, 40 simultaneous guesses were all checked. Attempts are
    now reserved (counted) before hashing: one more may be checked, 39 are refused
    unchecked."""
    client = _shared(web_review)
    for _ in range(4):  # one short of the limit of 5 per account and address
        assert _try(client, "bob", WRONG) == 401
    results: list[tuple[int, bool]] = []
    start = threading.Barrier(40)

    def guess(_: int) -> None:
        with _shared(web_review) as mine:
            page = mine.get("/login")
            start.wait()
            answer = mine.post(
                "/login",
                data={"reviewer": "bob", "password": WRONG, "csrf_token": csrf_of(page.text)},
                follow_redirects=False,
            )
            results.append((answer.status_code, "do not match" in answer.text))

    _at_once(guess, 40)
    assert sorted(results) == [(401, True)] + [(429, False)] * 39  # one password checked


def test_reservations_are_atomic_across_processes(web_review: Store) -> None:
    """The same at the service, with a store per thread as separate processes have: 9
    failures from 9 addresses, then 40 guesses at once from 40 more: one is let through."""
    for n in range(9):
        attempt = sign_in.reserve_attempt(web_review, "owner", f"198.51.100.{n}")
        sign_in.finish_attempt(web_review, attempt, None)
    stores = [open_store(web_review.target) for _ in range(8)]
    reserved: list[bool] = []
    start = threading.Barrier(40)

    def guess(n: int) -> None:
        start.wait()
        attempt = sign_in.reserve_attempt(stores[n % 8], "owner", f"192.0.2.{n}")
        reserved.append(attempt.id is not None)

    try:
        _at_once(guess, 40)
    finally:
        for store in stores:
            store.close()
    assert len(reserved) == 40 and reserved.count(True) == 1


def test_a_team_signing_in_at_once_behind_one_address_waits_seconds_not_the_window(
    web_review: Store,
) -> None:
    """Found by bench/web_load.py: 50 reviewers signing in at the same moment from one
    address got "too many failed attempts from your address; try again in 15 minutes",
    because attempts still being checked count as failures. The limit reached only that
    way now refuses for a moment, says so, and nothing failed is counted."""
    client = "203.0.113.50"
    held = [
        sign_in.reserve_attempt(web_review, f"member{n}", client)
        for n in range(sign_in.CLIENT_LIMIT)
    ]
    assert all(attempt.id is not None for attempt in held)
    busy = sign_in.reserve_attempt(web_review, "amy", client)
    assert busy.id is None and busy.retry_after == sign_in.BUSY_SECONDS
    assert "being checked" in busy.refused and "failed" not in busy.refused
    for attempt in held:  # they were right after all (all signed in as bob, for the test)
        sign_in.finish_attempt(web_review, attempt, "bob")
    assert sign_in.reserve_attempt(web_review, "amy", client).id is not None


def test_a_limit_reached_by_failures_wins_over_one_only_busy(web_review: Store) -> None:
    """The account has 10 failures from other addresses (the window's wait) while this
    address has attempts still being checked: the refusal is the window, not a moment."""
    for n in range(sign_in.ACCOUNT_LIMIT):
        sign_in.finish_attempt(web_review, sign_in.reserve_attempt(web_review, "x", f"a{n}"), None)
    here = "192.0.2.5"
    with web_review.transaction() as connection:  # attempts from here, being checked now
        for _ in range(sign_in.PAIR_LIMIT):
            sessions_repo.add_attempt(connection, "x", here, "", "pending")
    refused = sign_in.reserve_attempt(web_review, "x", here)
    assert refused.id is None and refused.retry_after == int(sign_in.WINDOW.total_seconds())


def test_the_refusal_page_says_how_long_to_wait(web_review: Store) -> None:
    client = _shared(web_review, client="192.0.2.77")
    for _ in range(sign_in.PAIR_LIMIT):
        assert _try(client, "bob", WRONG) == 401
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"reviewer": "bob", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == str(int(sign_in.WINDOW.total_seconds()))
    assert "try again in 15 minutes" in answer.text


def test_a_refused_attempt_checks_no_password_and_waits_do_not_grow(web_review: Store) -> None:
    for _ in range(5):
        sign_in.finish_attempt(web_review, sign_in.reserve_attempt(web_review, "bob", "x"), None)
    refused = sign_in.reserve_attempt(web_review, "bob", "x")
    assert refused.id is None and "try again" in refused.refused
    with web_review.reading() as connection:
        outcomes = connection.execute(sa.select(sign_in_attempt.c.outcome)).scalars().all()
    assert sorted(outcomes) == ["failed"] * 5 + ["refused"]


# -- trusted proxies ---------------------------------------------------------------------


def _serve(config: WebConfig) -> tuple[threading.Thread, object, int]:
    server = build_server(config, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return thread, server, server.servers[0].sockets[0].getsockname()[1]


def _clients_recorded(store: Store) -> list[str]:
    with store.reading() as connection:
        return list(
            connection.execute(
                sa.select(sign_in_attempt.c.client).order_by(sign_in_attempt.c.id)
            ).scalars()
        )


@pytest.mark.parametrize("trusted", [(), ("127.0.0.1",)])
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    web_review: Store, trusted: tuple[str, ...]
) -> None:
    """Finding: X-Forwarded-For was trusted from loopback by default, so anyone on the host
    (or a proxy that passes the header on) could pick the address the throttle counted."""
    config = WebConfig(
        target=web_review.target, local=False, allowed_hosts=("*",), trusted_proxies=trusted
    )
    thread, server, port = _serve(config)
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        with opener.open(f"http://127.0.0.1:{port}/login", timeout=10) as page:
            csrf = csrf_of(page.read().decode())
        form = {"reviewer": "bob", "password": WRONG, "csrf_token": csrf}
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/login",
            data=urllib.parse.urlencode(form).encode(),
            headers={"X-Forwarded-For": "203.0.113.50", "X-Forwarded-Proto": "https"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(request, timeout=10)
        assert refused.value.code == 401
        hsts = refused.value.headers.get("strict-transport-security")
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(timeout=10)
    if trusted:
        assert _clients_recorded(web_review) == ["203.0.113.50"]
        assert hsts == "max-age=31536000"  # the proxy says the client spoke HTTPS
    else:
        assert _clients_recorded(web_review) == ["127.0.0.1"]
        assert hsts is None


def test_the_client_is_the_rightmost_untrusted_hop(web_review: Store) -> None:
    client = _shared(web_review, client="10.0.0.1", proxies=("10.0.0.0/24",))
    _try(client, "bob", WRONG, **{"X-Forwarded-For": "1.2.3.4, 198.51.100.9, 10.0.0.2"})
    assert _clients_recorded(web_review) == ["198.51.100.9"]  # 1.2.3.4 was the client's say


def test_hsts_only_over_https_on_a_shared_server(web_review: Store) -> None:
    shared = create_app(
        WebConfig(target=web_review.target, local=False, allowed_hosts=("*",)), store=web_review
    )
    over_tls = TestClient(shared, base_url="https://review.example").get("/login")
    assert over_tls.headers["strict-transport-security"] == "max-age=31536000"
    plain = TestClient(shared, base_url="http://review.example").get("/login")
    assert "strict-transport-security" not in plain.headers
    local = create_app(WebConfig(target=web_review.target), store=web_review)
    assert "strict-transport-security" not in TestClient(local, base_url=LOCAL).get("/").headers
