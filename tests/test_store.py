"""The review store: opening, refusing bad stores, constraints, transactions."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from realist.domain.documents import Document
from realist.errors import (
    NoReview,
    NotAReview,
    ReviewExists,
    SchemaTooNew,
    UnsupportedDatabase,
)
from realist.services.reviews import init_review
from realist.store import create_store, open_store, resolve_url
from realist.store import documents as documents_repo
from realist.store.events import list_events
from realist.store.schema import review
from realist.store.schema_analysis import excerpt

PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL", "")

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="about SQLite files")


def test_resolve_url() -> None:
    assert resolve_url("r.realist").get_backend_name() == "sqlite"
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert resolve_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(UnsupportedDatabase, match="mysql://"):
        resolve_url("mysql://u@h/db")


def test_init_then_open(db_target: str) -> None:
    store = init_review(db_target, "Peer support", "jm", "Jenny")
    store.close()
    reopened = open_store(db_target)
    with reopened.reading() as connection:
        assert connection.execute(sa.select(review.c.title)).scalar() == "Peer support"
        assert [e.action for e in list_events(connection)] == ["review.created"]
    reopened.close()
    with pytest.raises(ReviewExists):
        init_review(db_target, "again")


@sqlite_only
def test_sqlite_is_wal_with_foreign_keys(db_target: str) -> None:
    store = init_review(db_target, "t", "jm")
    with store.reading() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


@sqlite_only
def test_refuses_files_that_are_not_reviews(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    with pytest.raises(NotAReview, match="not an SQLite database"):
        open_store(str(text_file))
    with pytest.raises(NotAReview):
        create_store(str(text_file))
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE things (x)")
    with pytest.raises(NotAReview, match="other tables"):
        open_store(str(other))
    # Another program's Alembic-managed database is not "a newer Realist".
    alembic_app = tmp_path / "app.db"
    with sqlite3.connect(alembic_app) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        connection.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(NotAReview, match="other tables"):
        open_store(str(alembic_app))
    assert text_file.read_text() == "hello"  # nothing was written


@sqlite_only
def test_missing_and_empty_stores(tmp_path: Path) -> None:
    with pytest.raises(NoReview, match="realist init"):
        open_store(str(tmp_path / "absent.realist"))
    assert not (tmp_path / "absent.realist").exists()
    with pytest.raises(NoReview, match="does not exist"):
        open_store(str(tmp_path / "no-such-folder" / "r.realist"))


def test_refuses_a_newer_schema(db_target: str) -> None:
    init_review(db_target, "t", "jm").close()
    store = open_store(db_target)
    with store.transaction() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'fromthefuture'"))
    store.close()
    with pytest.raises(SchemaTooNew, match="newer version of Realist"):
        open_store(db_target)


def test_database_bounds_every_span(db_target: str) -> None:
    """Even a write that bypasses the services cannot store a span outside its text."""
    store = init_review(db_target, "t", "jm")
    with store.transaction() as connection:
        doc_id = documents_repo.insert_document(
            connection, Document(key="d", title="d", text="0123456789")
        )
        text_id, _ = documents_repo.latest_text(connection, doc_id) or (0, "")
    row = {
        "label": "",
        "document_text_id": text_id,
        "reviewer_id": 1,
        "text": "x",
        "note": "",
        "created_at": "2026-01-01",
    }
    bad_spans = [
        {"text_length": 10, "start_offset": 5, "end_offset": 11},  # past the end
        {"text_length": 10, "start_offset": 5, "end_offset": 5},  # empty
        {"text_length": 10, "start_offset": -1, "end_offset": 3},  # negative
        {"text_length": 99, "start_offset": 5, "end_offset": 50},  # lies about the length
    ]
    for span in bad_spans:
        with pytest.raises(sa.exc.IntegrityError), store.transaction() as connection:
            connection.execute(excerpt.insert().values(**row, **span))
    with store.transaction() as connection:
        connection.execute(
            excerpt.insert().values(**row, text_length=10, start_offset=0, end_offset=10)
        )
    store.close()


def test_a_failed_transaction_leaves_nothing(db_target: str) -> None:
    store = init_review(db_target, "t", "jm")
    with pytest.raises(RuntimeError), store.transaction() as connection:
        documents_repo.insert_document(connection, Document(key="d", title="d", text="abc"))
        raise RuntimeError("killed half way")
    with store.reading() as connection:
        assert documents_repo.list_documents(connection) == []
    store.close()


def test_text_versions_are_appended_not_replaced(db_target: str) -> None:
    store = init_review(db_target, "t", "jm")
    with store.transaction() as connection:
        doc_id = documents_repo.insert_document(connection, Document(key="d", title="d", text="v1"))
        documents_repo.add_text_version(connection, doc_id, "v2")
        assert documents_repo.latest_text(connection, doc_id) is not None
        assert documents_repo.get_document(connection, "d").text == "v2"
        count = connection.execute(sa.text("SELECT count(*) FROM document_text")).scalar()
    assert count == 2
    store.close()


def test_writers_in_one_process_take_turns_without_sqlite_polling(tmp_path: Path) -> None:
    """Threads of one process (the web server's) queue for the write: the second starts
    as soon as the first commits, instead of SQLite's busy handler sleeping and polling."""
    import threading
    import time

    store = init_review(str(tmp_path / "r.realist"), "t", "ann")
    inside = threading.Event()
    spans: dict[str, tuple[float, float]] = {}

    def write(name: str, hold: float) -> None:
        with store.transaction() as connection:
            began = time.perf_counter()
            connection.execute(review.update().values(title=name))
            inside.set()
            time.sleep(hold)
        spans[name] = (began, time.perf_counter())

    first = threading.Thread(target=write, args=("first", 0.3))
    first.start()
    inside.wait()
    write("second", 0)
    first.join()
    assert spans["second"][0] >= spans["first"][1] - 0.01  # strictly after the first
    assert spans["second"][0] - spans["first"][1] < 0.05  # and at once, not after a poll
    with store.reading() as connection:
        assert connection.execute(sa.select(review.c.title)).scalar() == "second"
    store.close()


def test_an_idle_sqlite_connection_is_only_promised_when_one_is_free(db_target: str) -> None:
    """The web app looks the signed-in reviewer up on its event loop only when a pooled
    SQLite connection is free; otherwise (or on PostgreSQL) it uses a worker thread."""
    store = init_review(db_target, "t", "ann")
    if store.dialect != "sqlite":
        assert not store.has_idle_sqlite_connection()
        store.close()
        return
    assert store.has_idle_sqlite_connection()
    held = []
    while store.has_idle_sqlite_connection():
        held.append(store.engine.connect())
    assert held and not store.has_idle_sqlite_connection()
    held.pop().close()
    assert store.has_idle_sqlite_connection()
    for connection in held:
        connection.close()
    store.close()
