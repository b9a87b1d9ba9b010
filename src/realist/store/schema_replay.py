"""A new review's schema, made by replaying what the migrations did to the last new one.

Creating a review runs every migration from the first (Alembic), which on SQLite rebuilds
tables in batch mode after reflecting them: about half a second, nearly all of it Python,
for a schema that is the same every time. A process that creates several reviews (the test
suite creates one per test, on SQLite and PostgreSQL; a teaching server may create many)
records the statements the migrations sent to the database the first time, per dialect
and head revision, and replays those statements on the next empty database instead.

Why this is the same schema: on an *empty* database the migrations' statements do not
depend on any data (their data steps read no rows and so write none), and nothing else in
them varies between runs. Only statements that change the database are kept (reads, which
the migrations and Alembic make to decide nothing here, are left out). The first review a
process creates always runs the migrations themselves; ``tests/test_schema_replay.py``
checks, on SQLite and on PostgreSQL, that a replayed schema equals a migrated one in every
table, column, index, constraint, trigger and row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

from realist.store.revisions import head_revision

Statement = tuple[str, Any, bool]  # (SQL, driver parameters, sent with executemany)
# (dialect, head revision) -> the statements sent, in the order sent.
_recorded: dict[tuple[str, str], list[Statement]] = {}
_lock = threading.Lock()


def create_schema(connection: Connection, migrate: Callable[[Connection], None]) -> None:
    """Make the current schema in the empty database of ``connection`` (in its transaction):
    replay this process's recording for the dialect, or run ``migrate`` and record it."""
    key = (connection.dialect.name, head_revision())
    with _lock:
        statements = _recorded.get(key)
    if statements is not None:
        replay(connection, statements)
        return
    sent = record(connection, migrate)
    with _lock:
        _recorded.setdefault(key, sent)


def record(connection: Connection, migrate: Callable[[Connection], None]) -> list[Statement]:
    """Run ``migrate(connection)`` and return the statements it sent that change anything."""
    sent: list[Statement] = []

    def keep(
        _conn: Connection,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        if not _reads_only(statement):
            sent.append((statement, parameters, executemany))

    event.listen(connection, "before_cursor_execute", keep)
    try:
        migrate(connection)
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    return sent


def replay(connection: Connection, statements: list[Statement]) -> None:
    """Send recorded statements, as they were sent, on ``connection``."""
    for statement, parameters, executemany in statements:
        if executemany:
            connection.exec_driver_sql(statement, list(parameters))
        elif parameters:
            connection.exec_driver_sql(statement, parameters)
        else:  # (none at all: a '%' in DDL must not be read as a placeholder)
            connection.exec_driver_sql(statement)


def forget() -> None:
    """Forget every recording: the next new schema runs the migrations (tests)."""
    with _lock:
        _recorded.clear()


def recorded(dialect: str) -> list[Statement] | None:
    """This process's recording for ``dialect`` at the head revision, if any (tests)."""
    with _lock:
        return _recorded.get((dialect, head_revision()))


def _reads_only(statement: str) -> bool:
    """A statement that changes nothing: a query, or SQLite's reading PRAGMAs (those with
    no '='; the ones batch mode sets, such as foreign_keys=OFF, are kept)."""
    words = statement.lstrip().split(None, 1)
    first = words[0].upper() if words else ""
    if first == "SELECT":
        return True
    return first == "PRAGMA" and "=" not in statement


__all__ = ["create_schema", "forget", "record", "recorded", "replay"]
