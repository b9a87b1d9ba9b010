"""Accounts: Argon2 hashes in their own table, roles, and the commands that manage them."""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from realist.cli import cli
from realist.cli.web_commands import build_server
from realist.domain.review import ReviewerRole
from realist.errors import InvalidInput, NotFound
from realist.services import accounts
from realist.services.reviews import init_review
from realist.store import Store, create_store
from realist.store.accounts import account
from realist.store.events import list_events
from realist.store.schema import metadata
from realist.store.search import is_search_structure
from realist.web import WebConfig
from web.kit import PASSWORD


def test_passwords_are_argon2_hashes_never_text(web_review: Store) -> None:
    with web_review.reading() as connection:
        hashes = [row.password_hash for row in connection.execute(sa.select(account))]
        events = list_events(connection)
    assert len(hashes) == 3 and all(h.startswith("$argon2id$") for h in hashes)
    assert PASSWORD not in str([e.detail for e in events])
    assert accounts.authenticate(web_review, "bob", PASSWORD) is not None
    assert accounts.authenticate(web_review, "bob", PASSWORD + "!") is None
    assert accounts.authenticate(web_review, "nobody", PASSWORD) is None


def test_roles_and_the_last_owner(web_review: Store) -> None:
    people = {p.key: (p.role, p.has_account) for p in accounts.list_people(web_review)}
    assert people["vic"] == (ReviewerRole.VIEWER, True)
    with pytest.raises(InvalidInput, match="at least one owner"):
        accounts.set_role(web_review, "owner", ReviewerRole.VIEWER)
    accounts.set_role(web_review, "bob", ReviewerRole.OWNER)
    assert accounts.set_role(web_review, "owner", ReviewerRole.VIEWER).role is ReviewerRole.VIEWER
    with pytest.raises(NotFound):
        accounts.set_role(web_review, "zed", ReviewerRole.VIEWER)
    with pytest.raises(InvalidInput, match="at least 15"):
        accounts.add_account(web_review, "amy", "short")
    assert accounts.remove_account(web_review, "vic") is True
    assert accounts.authenticate(web_review, "vic", PASSWORD) is None


def test_migrations_build_the_account_table(db_target: str) -> None:
    store = create_store(db_target)
    with store.engine.connect() as connection:
        assert "account" in sa.inspect(connection).get_table_names()
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": lambda _o, name, kind, *_: not is_search_structure(kind, name),
                "compare_type": True,
            },
        )
        assert compare_metadata(context, metadata) == []
    store.close()


def test_account_commands(db_target: str) -> None:
    init_review(db_target, "t", "jm").close()
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["--db", db_target, "account", "add", "ann", "--role", "viewer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert "Account ann (viewer) can sign in." in added.output
    listed = runner.invoke(cli, ["--db", db_target, "account", "list", "--json"])
    assert '"key": "ann"' in listed.output and '"has_account": true' in listed.output
    assert "Examples:" in runner.invoke(cli, ["serve", "--help"]).output


def test_shared_server_refuses_to_start_without_accounts(db_target: str) -> None:
    init_review(db_target, "t", "jm").close()
    result = CliRunner().invoke(cli, ["--db", db_target, "serve", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "needs accounts" in str(result.exception)


def test_serve_answers_on_loopback(web_review: Store) -> None:
    """A real server on a free loopback port, stopped by the test (bounded in time)."""
    server = build_server(WebConfig(target=web_review.target), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/records", timeout=5) as page:
            assert page.status == 200 and "Second study" in page.read().decode()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
