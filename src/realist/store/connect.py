"""Opening a review store: URL resolution, SQLite pragmas, schema version checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from realist.errors import (
    NoReview,
    NotAReview,
    ReviewExists,
    SchemaTooNew,
    StoreBusy,
    UnsupportedDatabase,
)
from realist.settings import setting
from realist.store import (  # noqa: F401
    accounts,
    batches,
    ranking,
    schema,
    schema_analysis,
    schema_replay,
    sessions,
)
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
    # The driver's own transaction handling is off: transactions begin where SQLAlchemy
    # begins them (_on_sqlite_begin), a writer's with BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
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


WRITE = "realist_write"  # execution option: this connection's transaction will write


def _on_sqlite_begin(connection: Connection) -> None:
    """A reader's transaction is a plain BEGIN: every statement in it reads one snapshot.
    A writer's takes the write lock at once (BEGIN IMMEDIATE): a transaction that read
    first and asked for the lock later would fail at once, without waiting, whenever
    another process had written in between (SQLite cannot let it write on its old
    snapshot)."""
    wait = connection.get_execution_options().get(WRITE)
    if wait is None:
        connection.exec_driver_sql("BEGIN")
        return
    _begin_immediate(connection.connection.dbapi_connection, float(wait))


# Between tries for the write lock: short, so that a writer starts within a few
# milliseconds of the one before it committing. SQLite's own busy handler sleeps up to
# 100 ms between tries, and another process (an import writing in short transactions)
# could take the lock again in every gap it left.
_RETRY_SLEEPS = (0.0005, 0.001, 0.002, 0.003, 0.005)


def _begin_immediate(dbapi_connection: Any, wait: float) -> None:
    cursor = dbapi_connection.cursor()
    deadline = time.monotonic() + wait
    tries = 0
    cursor.execute("PRAGMA busy_timeout = 0")  # this loop waits, not SQLite's handler
    try:
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except Exception as error:  # sqlite3.OperationalError: the lock is taken
                if not _is_locked_message(str(error)):
                    raise
                if time.monotonic() >= deadline:
                    raise busy(wait) from None
            time.sleep(_RETRY_SLEEPS[min(tries, len(_RETRY_SLEEPS) - 1)])
            tries += 1
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {max(1, int(wait * 1000))}")
        cursor.close()


def busy(wait: float) -> StoreBusy:
    return StoreBusy(
        f"the review is busy with another change (waited {wait:g} s); "
        "nothing was changed: try again in a moment"
    )


def _is_locked_message(message: str) -> bool:
    return "database is locked" in message or "database table is locked" in message


# PostgreSQL's codes for "could not lock in time" (lock_timeout), a deadlock and a
# serialisation failure: the transaction was rolled back and may simply be tried again.
_PG_RETRYABLE = frozenset({"55P03", "40P01", "40001"})


def is_busy(error: BaseException) -> bool:
    """Whether a database error means "another writer held what this one needed"."""
    if not isinstance(error, sa.exc.OperationalError):
        return False
    if getattr(error.orig, "sqlstate", None) in _PG_RETRYABLE:
        return True
    return _is_locked_message(str(error.orig))


def _make_engine(url: sa.URL, lock_wait: float) -> Engine:
    if url.get_backend_name() == "sqlite":
        # Enough pooled connections for the web server's worker threads: a connection
        # opened afresh reads the whole schema before its first query.
        engine = sa.create_engine(
            url, connect_args={"timeout": lock_wait}, pool_size=16, max_overflow=32
        )
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    # A statement waiting for a row or table lock gives up after lock_wait (SQLSTATE
    # 55P03, which is_busy recognises) instead of holding a request for ever.
    options = f"-c lock_timeout={max(1, int(lock_wait * 1000))}"
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"options": options})


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
    """An open review store. Writes go through :meth:`transaction`: all or nothing.

    ``lock_wait`` is how many seconds a write waits for another writer before raising
    :class:`~realist.errors.StoreBusy` (nothing changed; the web answers 503)."""

    def __init__(self, engine: Engine, url: sa.URL, target: str, lock_wait: float) -> None:
        self.engine = engine
        self.url = url
        self.target = target  # what the user gave (path or URL), to reopen the same store
        self.lock_wait = lock_wait
        # SQLite has one writer at a time. Threads of this process (the web server's) queue
        # on this lock and start the moment the writer before them commits; other
        # processes are met by BEGIN IMMEDIATE's short retries (_begin_immediate).
        # Reentrant, so a transaction opened inside another in the same thread does not
        # wait here (it still needs SQLite's lock, which the outer one holds: don't).
        self._writing = threading.RLock() if engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: commits at the end, rolls back everything on any error.
        StoreBusy when another writer holds the store longer than ``lock_wait``."""
        try:
            if self._writing is None:
                with self.engine.begin() as connection:
                    yield connection
                return
            if not self._writing.acquire(timeout=self.lock_wait):
                raise self._busy()
            try:
                with self.engine.connect() as connection:
                    connection.execution_options(**{WRITE: self.lock_wait})
                    with connection.begin():
                        yield connection
            finally:
                self._writing.release()
        except sa.exc.OperationalError as error:
            if is_busy(error):
                raise self._busy() from None
            raise

    def _busy(self) -> StoreBusy:
        return busy(self.lock_wait)

    def has_idle_sqlite_connection(self) -> bool:
        """Whether this is SQLite and a pooled connection is free at once (see web.auth)."""
        pool = self.engine.pool
        return (
            self._writing is not None and isinstance(pool, sa.QueuePool) and (pool.checkedin() > 0)
        )

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reading; on SQLite its statements read one snapshot."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except sa.exc.OperationalError as error:
            if is_busy(error):
                raise self._busy() from None
            raise

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


def _connect(target: str, lock_wait: float | None) -> Store:
    url = resolve_url(target)
    path = _sqlite_path(url)
    if path is not None:
        _check_sqlite_file(path)
        if not path.parent.exists():
            raise NoReview(f"folder {path.parent} does not exist")
    wait = float(setting("lock_wait")) if lock_wait is None else lock_wait
    return Store(_make_engine(url, wait), url, target, wait)


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


def open_store(target: str | None = None, *, lock_wait: float | None = None) -> Store:
    """Open an existing review, upgrading an older schema; refuse anything else. An import
    another process left unfinished (killed) is removed (:mod:`realist.store.batches`).
    ``lock_wait``: seconds a write waits for another writer (default: the setting)."""
    store = _connect(target or default_target(), lock_wait)
    path = _sqlite_path(store.url)
    if path is not None and not path.exists():
        store.close()
        raise NoReview(f"no review at {path} (create one with `realist init` or `realist demo`)")
    try:
        # Read first: opening a review to read it takes no write lock (and so never waits
        # for another process's import), unless its schema must be upgraded.
        with store.reading() as connection:
            state = _schema_state(connection)
        if state == "old":
            with store.transaction() as connection:
                state = _schema_state(connection)
                if state == "old":
                    _upgrade(connection)
                    state = "current"
    except sa.exc.DatabaseError as error:
        store.close()
        raise NotAReview(f"{store.describe()} is not a Realist review ({error.orig})") from None
    except BaseException:
        store.close()
        raise
    if state != "current":
        store.close()
        _raise_for_state(state, store)
    try:
        batches.remove_interrupted(store)
    except BaseException:
        store.close()
        raise
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


def create_store(target: str | None = None, *, lock_wait: float | None = None) -> Store:
    """Create the schema in an empty store; refuse a store that already holds anything."""
    store = _connect(target or default_target(), lock_wait)
    try:
        with store.transaction() as connection:
            state = _schema_state(connection)
            if state == "empty":
                schema_replay.create_schema(connection, _upgrade)
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
