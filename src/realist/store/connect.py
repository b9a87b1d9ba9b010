"""Opening a review store: URL resolution, SQLite pragmas, schema version checks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from realist.errors import NoReview, NotAReview, ReviewExists, SchemaTooNew, UnsupportedDatabase
from realist.settings import setting
from realist.store import accounts, schema, schema_analysis, sessions  # noqa: F401  (every table)
from realist.store.revisions import head_revision, known_revisions

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(target: str) -> sa.URL:
    """Turn a ``--db`` value into a database URL: a path means a local SQLite file."""
    if "://" not in target:
        return sa.make_url(f"sqlite:///{Path(target).expanduser().resolve()}")
    scheme = target.split("://", 1)[0].lower()
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return sa.make_url("postgresql+psycopg://" + target.split("://", 1)[1])
    if scheme == "sqlite":
        return sa.make_url(target)
    raise UnsupportedDatabase(
        f"unsupported database URL scheme '{scheme}://' "
        "(use a file path, sqlite:///PATH or postgresql://...)"
    )


def _sqlite_path(url: sa.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # Only takes effect on a new, empty file (before WAL is on). A record with its abstract
    # is ~2 KB: 4 KB pages hold one and waste nearly half, 16 KB pages hold seven, so files
    # are ~30% smaller and an import writes (twice, through the WAL) that much less.
    cursor.execute("PRAGMA page_size = 16384")
    cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the one writer
    # 8 MB of pages per connection (SQLite's default is 2 MB): with 16 KB pages the default
    # holds only 125, and the analysis queries (matrix, model) then re-read index pages.
    cursor.execute("PRAGMA cache_size = -8192")
    cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster commits
    cursor.close()


def _make_engine(url: sa.URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        # Enough pooled connections for the web server's worker threads: a connection
        # opened afresh reads the whole schema before its first query.
        engine = sa.create_engine(url, connect_args={"timeout": 30}, pool_size=16, max_overflow=32)
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _alembic_config(connection: Connection | None = None) -> Config:
    # Alembic loads only when a schema is created or upgraded (see store.revisions).
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


__all__ = [
    "Store",
    "create_store",
    "default_target",
    "head_revision",
    "known_revisions",
    "open_store",
    "resolve_url",
]


class Store:
    """An open review store. Writes go through :meth:`transaction`: all or nothing."""

    def __init__(self, engine: Engine, url: sa.URL, target: str) -> None:
        self.engine = engine
        self.url = url
        self.target = target  # what the user gave (path or URL), to reopen the same store
        # SQLite has one writer at a time; a second one polls with sleeps of up to 100 ms
        # until the first is done. Threads of this process (the web server's) queue on this
        # lock instead and start the moment the writer before them commits. Reentrant,
        # so a transaction opened inside another in the same thread behaves as before.
        self._writing = threading.RLock() if engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: commits at the end, rolls back everything on any error."""
        if self._writing is None:
            with self.engine.begin() as connection:
                yield connection
            return
        with self._writing, self.engine.begin() as connection:
            yield connection

    def has_idle_sqlite_connection(self) -> bool:
        """Whether this is SQLite and a pooled connection is free at once (see web.auth)."""
        pool = self.engine.pool
        return (
            self._writing is not None and isinstance(pool, sa.QueuePool) and (pool.checkedin() > 0)
        )

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()

    def describe(self) -> str:
        """The store's location for messages, without any password."""
        path = _sqlite_path(self.url)
        return str(path) if path else self.url.render_as_string(hide_password=True)


def _schema_state(connection: Connection) -> str:
    """'empty', 'current', 'old', 'newer' or 'foreign' (tables, but not a Realist review)."""
    current = _current_revision(connection)
    if current is None:
        tables = set(sa.inspect(connection).get_table_names())
        return "empty" if not tables else "foreign"
    if current == head_revision():
        return "current"
    if current in known_revisions():
        return "old"
    # Another program's Alembic-managed database is not a newer review.
    return "newer" if "review" in sa.inspect(connection).get_table_names() else "foreign"


def _current_revision(connection: Connection) -> str | None:
    """The store's schema revision, asked directly (every command opens a review, and
    inspecting the catalogue costs more); None when there is none to read."""
    try:
        with connection.begin_nested():  # PostgreSQL aborts a transaction on any error
            found = connection.execute(_REVISION).scalar()
    except sa.exc.DatabaseError:
        return None
    return str(found) if found else None


_REVISION = sa.text("SELECT version_num FROM alembic_version")


def _check_sqlite_file(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(16) != SQLITE_MAGIC:
            raise NotAReview(f"{path} is not a Realist review (not an SQLite database)")


def _connect(target: str) -> Store:
    url = resolve_url(target)
    path = _sqlite_path(url)
    if path is not None:
        _check_sqlite_file(path)
        if not path.parent.exists():
            raise NoReview(f"folder {path.parent} does not exist")
    return Store(_make_engine(url), url, target)


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


def open_store(target: str | None = None) -> Store:
    """Open an existing review, upgrading an older schema; refuse anything else."""
    store = _connect(target or default_target())
    path = _sqlite_path(store.url)
    if path is not None and not path.exists():
        store.close()
        raise NoReview(f"no review at {path} (create one with `realist init` or `realist demo`)")
    try:
        with store.transaction() as connection:
            state = _schema_state(connection)
            if state == "old":
                _upgrade(connection)
    except sa.exc.DatabaseError as error:
        store.close()
        raise NotAReview(f"{store.describe()} is not a Realist review ({error.orig})") from None
    if state != "current" and state != "old":
        store.close()
        _raise_for_state(state, store)
    return store


def _raise_for_state(state: str, store: Store) -> None:
    where = store.describe()
    if state == "empty":
        raise NoReview(f"no review at {where} (create one with `realist init`)")
    if state == "newer":
        raise SchemaTooNew(
            f"{where} was written by a newer version of Realist; upgrade Realist to open it"
        )
    raise NotAReview(f"{where} is not a Realist review (it holds other tables)")


def create_store(target: str | None = None) -> Store:
    """Create the schema in an empty store; refuse a store that already holds anything."""
    store = _connect(target or default_target())
    try:
        with store.transaction() as connection:
            state = _schema_state(connection)
            if state == "empty":
                _upgrade(connection)
    except sa.exc.DatabaseError as error:
        store.close()
        raise NotAReview(f"{store.describe()} is not a Realist review ({error.orig})") from None
    if state != "empty":
        store.close()
        if state in ("current", "old"):
            raise ReviewExists(f"a review already exists at {store.describe()}")
        _raise_for_state(state, store)
    return store


def default_target() -> str:
    """``REALIST_DATABASE_URL`` or ``./review.realist``."""
    return setting("database_url")
