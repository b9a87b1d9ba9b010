"""Shared fixtures: a fresh review store per test, on SQLite or on a real PostgreSQL.

Set REALIST_TEST_DATABASE_URL=postgresql://user@host/db to run every test against
PostgreSQL: each test then gets its own new database, created from that server and dropped
afterwards. Nothing is mocked: the tests use the same stores users do.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from realist.store import Store

PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL", "")


def _pg_admin() -> sa.Engine:
    url = sa.make_url(PG_URL).set(drivername="postgresql+psycopg")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


# Modules that reach PostgreSQL by themselves (PG_URL), not only through db_target.
_REACHES_POSTGRES = ("PG_URL", "REALIST_TEST_DATABASE_URL", "postgresql")
_LEFT_TO_SQLITE = pytest.StashKey[int]()  # how many tests the PostgreSQL run leaves out


@functools.cache
def _reaches_postgres(module: Path) -> bool:
    source = module.read_text(encoding="utf-8")
    return any(word in source for word in _REACHES_POSTGRES)


def _opens_a_database(item: pytest.Item) -> bool:
    return "db_target" in getattr(item, "fixturenames", ()) or _reaches_postgres(item.path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that open a review database run.

    A test that opens none (parsers, the ranking's arithmetic, the PRISMA figure) runs the
    same code on either back end; ``./dev test`` runs the SQLite suite beside this one, so
    running it twice only lengthens CI. They are reported as deselected, with their number.
    """
    if not PG_URL:
        return
    keep, leave = [], []
    for item in items:
        (keep if _opens_a_database(item) else leave).append(item)
    config.stash[_LEFT_TO_SQLITE] = len(leave)
    if leave:
        config.hook.pytest_deselected(items=leave)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    left = terminalreporter.config.stash.get(_LEFT_TO_SQLITE, 0)
    if left:
        terminalreporter.write_line(
            f"PostgreSQL run: {left} tests that open no review database run only on SQLite"
        )


@pytest.fixture
def db_target(tmp_path: Path) -> Iterator[str]:
    """Where a test's review lives: a new SQLite file, or a new PostgreSQL database."""
    yield from _new_target(tmp_path / "review.realist")


@pytest.fixture
def more_db_targets(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes more places for reviews, each new, on the same back end as ``db_target``."""
    with ExitStack() as made:

        def another() -> str:
            path = tmp_path / f"another-{uuid.uuid4().hex[:8]}.realist"
            return made.enter_context(contextmanager(_new_target)(path))

        yield another


def _new_target(sqlite_path: Path) -> Iterator[str]:
    if not PG_URL:
        yield str(sqlite_path)
        return
    name = f"realist_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once per session on SQLite, for read-only tests to copy."""
    from realist.services.demo import open_demo

    path = tmp_path_factory.mktemp("demo") / "demo.realist"
    store, _ = open_demo(str(path))
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture(scope="session")
def pg_demo_template() -> Iterator[str]:
    """On PostgreSQL, the demo built once per session in a template database.

    Building the demo takes seconds; ``CREATE DATABASE ... TEMPLATE`` copies it in a fraction
    of that, which is most of the PostgreSQL run's time for the tests that read the demo.
    """
    from realist.services.demo import open_demo

    name = f"realist_demo_tmpl_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        store, _ = open_demo(sa.make_url(PG_URL).set(database=name).render_as_string(False))
        store.close()  # no connection may stay open on a template while it is copied
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def demo_store(db_target: str, demo_template: Path, tmp_path: Path,
               request: pytest.FixtureRequest) -> Iterator[Store]:  # fmt: skip
    """A demo review of the test's own (copied from one built once per session)."""
    from realist.services.demo import open_demo

    if PG_URL:
        template = request.getfixturevalue("pg_demo_template")
        name = sa.make_url(db_target).database
        admin = _pg_admin()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
    else:
        target = tmp_path / "demo-copy.realist"
        target.write_bytes(demo_template.read_bytes())
        db_target = str(target)
    store, _ = open_demo(db_target)
    yield store
    store.close()
