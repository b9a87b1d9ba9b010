"""A new review's schema replayed from the first one a process made is the migrated schema
(realist.store.schema_replay), on SQLite and, in the PostgreSQL run, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from realist.store import create_store, schema_replay
from realist.store.connect import resolve_url

Fingerprint = dict[str, list[tuple[object, ...]]]

_POSTGRES_CATALOGUE = {
    "columns": "SELECT table_name, column_name, ordinal_position, data_type,"
    " character_maximum_length, column_default, is_nullable, generation_expression"
    " FROM information_schema.columns WHERE table_schema = 'public'",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
    "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)"
    " FROM pg_trigger WHERE NOT tgisinternal",
    "functions": "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
    " WHERE pronamespace = 'public'::regnamespace",
    "sequences": "SELECT sequence_name, data_type, start_value, increment"
    " FROM information_schema.sequences WHERE sequence_schema = 'public'",
    "extensions": "SELECT extname FROM pg_extension",
}


def _rows(connection: sa.Connection, query: str) -> list[tuple[object, ...]]:
    return sorted((tuple(row) for row in connection.exec_driver_sql(query)), key=repr)


def fingerprint(target: str) -> Fingerprint:
    """Everything a schema is, as the database's own catalogue says it, and every row."""
    engine = sa.create_engine(resolve_url(target))
    found: Fingerprint = {}
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                found["objects"] = _rows(
                    connection, "SELECT type, name, tbl_name, sql FROM sqlite_master"
                )
                found["user_version"] = _rows(connection, "PRAGMA user_version")
            else:
                for name, query in _POSTGRES_CATALOGUE.items():
                    found[name] = _rows(connection, query)
            for table in sa.inspect(connection).get_table_names():
                found[f"rows of {table}"] = _rows(connection, f'SELECT * FROM "{table}"')
    finally:
        engine.dispose()
    return found


@pytest.fixture
def no_recording() -> Iterator[None]:
    """The test starts as a new process would: the first new schema runs the migrations."""
    schema_replay.forget()
    yield
    schema_replay.forget()


def test_a_replayed_schema_is_the_migrated_schema(
    db_target: str, more_db_targets: Callable[[], str], no_recording: None
) -> None:
    create_store(db_target).close()  # migrated, and recorded
    replayed_at = more_db_targets()
    engine = sa.create_engine(resolve_url(replayed_at))
    try:
        with engine.begin() as connection:
            schema_replay.create_schema(connection, _must_not_migrate)
    finally:
        engine.dispose()
    expected, got = fingerprint(db_target), fingerprint(replayed_at)
    assert len([key for key in expected if key.startswith("rows of ")]) > 30
    assert expected["rows of alembic_version"]  # the head revision
    assert got == expected
    create_store(more_db_targets()).close()  # and a review is created by replaying it


def test_the_comparison_sees_one_statement_left_out(
    db_target: str, more_db_targets: Callable[[], str], no_recording: None
) -> None:
    """The last index the migrations made, left out of a replay: the fingerprint tells the
    schemas apart, so the test above would fail if a replay missed anything of the kind."""
    create_store(db_target).close()
    dialect = sa.make_url(resolve_url(db_target)).get_backend_name()
    statements = schema_replay.recorded(dialect)
    assert statements
    last_index = max(i for i, (sql, _, _) in enumerate(statements) if "CREATE INDEX" in sql)
    shortened_at = more_db_targets()
    engine = sa.create_engine(resolve_url(shortened_at))
    try:
        with engine.begin() as connection:
            schema_replay.replay(connection, statements[:last_index] + statements[last_index + 1 :])
    finally:
        engine.dispose()
    assert fingerprint(shortened_at) != fingerprint(db_target)


def _must_not_migrate(_connection: sa.Connection) -> None:
    raise AssertionError("a recorded schema must be replayed, not migrated again")
