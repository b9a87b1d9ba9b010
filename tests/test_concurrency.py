"""Several writers on one review: a writer that cannot get the lock in time is told so
(StoreBusy, nothing changed), and a long import writes in short transactions that nobody
sees until the last one completes the batch, even when the importer is killed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from realist.domain.screening import Decision, Stage
from realist.errors import StoreBusy
from realist.services import screening
from realist.services.batches import list_batches
from realist.services.check import check_review
from realist.services.imports import import_file
from realist.services.interchange import export_archive, export_records
from realist.services.records import find_records
from realist.services.reviews import init_review, review_status
from realist.services.search_strategy import source_summaries
from realist.store import Store, open_store, resolve_url
from realist.store import batches as batches_repo
from realist.store.events import list_events
from realist.store.schema import BatchState, import_batch, record, screening_decision, source

PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL", "")


def ris(count: int, start: int = 0, words: str = "peer support") -> str:
    return "".join(
        f"TY  - JOUR\nAU  - Author, A\nTI  - Study {n} of {words}\nPY  - 2019\n"
        f"DO  - 10.1000/study.{n}\nAB  - {'An abstract. ' * 10}\nER  - \n\n"
        for n in range(start, start + count)
    )


@pytest.fixture
def store(db_target: str, tmp_path: Path) -> Iterator[Store]:
    made = init_review(db_target, "Concurrency", "ann")
    first = tmp_path / "first.ris"
    first.write_text(ris(3))
    import_file(made, first, source_name="Scopus")
    made.close()
    opened = open_store(db_target, lock_wait=0.3)
    yield opened
    opened.close()


@contextmanager
def write_lock_held(target: str) -> Iterator[None]:
    """Another process's writer holding the review: SQLite's write lock, or on PostgreSQL
    the event table (every change appends an event)."""
    url = resolve_url(target)
    if url.get_backend_name() == "sqlite":
        assert url.database
        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("LOCK TABLE event IN EXCLUSIVE MODE"))
            yield
            connection.rollback()
    finally:
        engine.dispose()


def _decisions(store: Store) -> int:
    with store.reading() as connection:
        counted = connection.execute(sa.select(sa.func.count()).select_from(screening_decision))
        return int(counted.scalar() or 0)


def test_a_writer_that_cannot_get_the_lock_in_time_is_told_and_changes_nothing(
    store: Store,
) -> None:
    """Before: SQLite waited 30 s and raised OperationalError ("database is locked"),
    which the web turned into a 500; PostgreSQL waited for ever."""
    with write_lock_held(store.target):
        began = time.monotonic()
        with pytest.raises(StoreBusy, match="busy with another change"):
            screening.decide(store, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "ann")
        assert time.monotonic() - began < 20  # it gave up (after lock_wait), not hung
    assert _decisions(store) == 0
    screening.decide(store, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "ann")
    assert _decisions(store) == 1


def test_reading_never_waits_for_a_writer(store: Store) -> None:
    with write_lock_held(store.target):
        assert review_status(store).records["total"] == 3


def _seen(store: Store, tmp_path: Path) -> dict[str, Any]:
    """What every reader of records shows: counts, lists, queue, exports, checks."""
    status = review_status(store)
    exported = export_records(store, tmp_path / "records.csv", "csv")
    archive = export_archive(store, tmp_path / "review.zip")
    progress = screening.next_record(store, Stage.TITLE_ABSTRACT, "ann").progress
    return {
        "records": status.records,
        "flow": status.flow,
        "listed": find_records(store, limit=10).total,
        "batches": [(b.id, b.records) for b in list_batches(store)],
        "sources": [(s.source.name, s.batches, s.records) for s in source_summaries(store)],
        "queue": (progress.done, progress.total),
        "exported": exported.counts,
        "archived": {k: archive.counts[k] for k in ("record", "import_batch", "source")},
        "findings": [f.message for f in check_review(store)],
    }


def test_an_import_is_invisible_until_its_last_transaction_and_lets_writers_in(
    store: Store, tmp_path: Path
) -> None:
    """Between two chunks of an import, nothing of it shows anywhere, and another writer
    gets the lock at once (before: one transaction held SQLite's lock throughout)."""
    before = _seen(store, tmp_path)
    big = tmp_path / "big.ris"
    big.write_text(ris(4_500, start=100))
    during: list[dict[str, Any]] = []

    def look(records: int) -> None:
        if not during:
            assert records > 0
            during.append(_seen(store, tmp_path))
            screening.decide(store, 2, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "ann", note="x")
            with store.reading() as connection:
                written = connection.execute(
                    sa.select(sa.func.count()).select_from(record)
                ).scalar()
            assert written == 3 + records  # the chunk really is in the database

    result = import_file(store, big, source_name="Embase", progress=look)
    assert during and during[0] == before
    assert result.imported == 4_500
    after = _seen(store, tmp_path)
    assert after["records"]["total"] == 4_503
    assert after["listed"] == 4_503
    assert [n for _, n in after["batches"]] == [3, 4_500]
    assert ("Embase", 1, 4_500) in after["sources"]


def test_a_failed_import_leaves_nothing(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ris"
    bad.write_text(ris(1_200, start=10))

    def fail(records: int) -> None:
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        import_file(store, bad, source_name="Embase", progress=fail)
    with store.reading() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(record)).scalar() == 3
        assert connection.execute(sa.select(import_batch.c.state)).scalars().all() == [
            BatchState.COMPLETE
        ]
        assert connection.execute(sa.select(source.c.name)).scalars().all() == ["Scopus"]


def test_an_import_taken_over_by_another_process_stops_and_leaves_nothing(
    store: Store, tmp_path: Path
) -> None:
    """Another process judged the importer gone (same host, no such process) and removed
    its batch: the importer must not complete it with records missing."""
    big = tmp_path / "big.ris"
    big.write_text(ris(3_000, start=10))
    removed: list[int] = []

    def judged_gone(records: int) -> None:
        if removed:
            return
        with store.transaction() as connection:
            owner = connection.execute(
                sa.select(import_batch.c.owner).where(import_batch.c.state == "importing")
            ).scalar_one()
            dead = owner.rsplit("/", 2)[0] + "/999999999/"  # a pid no process has
            connection.execute(
                import_batch.update().where(import_batch.c.state == "importing").values(owner=dead)
            )
        removed.extend(batches_repo.remove_interrupted(store))

    with pytest.raises(batches_repo.ImportStopped):
        import_file(store, big, source_name="Embase", progress=judged_gone)
    assert len(removed) == 1
    with store.reading() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(record)).scalar() == 3
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(import_batch)).scalar() == 1
        )
        events = [e.action for e in list_events(connection)]
    assert "records.import_interrupted" in events
    assert "Embase" not in [s.source.name for s in source_summaries(store)]


def test_the_same_file_imported_twice_at_once_is_kept_once(store: Store, tmp_path: Path) -> None:
    """Both imports pass the "already imported?" look before either completes; the rule
    is checked again, one completion at a time, when the batch is completed."""
    same = tmp_path / "same.ris"
    same.write_text(ris(1_500, start=10))
    both_writing = threading.Barrier(2, timeout=60)
    results: list[Any] = []

    def run() -> None:
        waited = False

        def meet(records: int) -> None:
            nonlocal waited
            if not waited:
                waited = True
                both_writing.wait()

        results.append(import_file(store, same, progress=meet))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(bool(r.skipped) for r in results) == [False, True]
    assert "already imported as batch" in next(r.skipped for r in results if r.skipped)
    assert [n for _, n in (b for b in [(b.id, b.records) for b in list_batches(store)])] == [
        3,
        1_500,
    ]
    assert review_status(store).records["total"] == 1_503


def _unfinished_records(target: str) -> int:
    engine = sa.create_engine(resolve_url(target))
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sa.select(import_batch.c.record_count).where(import_batch.c.state == "importing")
            ).scalar()
            return int(found or 0)
    finally:
        engine.dispose()


def test_an_import_killed_between_chunks_is_never_seen_and_is_removed(
    store: Store, tmp_path: Path
) -> None:
    """kill -9 with chunks already committed: counts are those from before, and the next
    process to open the review removes what was written."""
    before = _seen(store, tmp_path)
    big = tmp_path / "big.ris"
    big.write_text(ris(200_000, start=10))
    target = store.target
    process = subprocess.Popen(
        [sys.executable, "-m", "realist", "--db", target, "import", str(big), "--source", "X"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _unfinished_records(target) == 0:  # until chunks are committed
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    written = _unfinished_records(target)
    assert written > 0
    reopened = open_store(target)  # removes what the killed importer wrote
    try:
        assert _seen(reopened, tmp_path) == before
        with reopened.reading() as connection:
            counted = connection.execute(sa.select(sa.func.count()).select_from(record))
            assert counted.scalar() == 3
            interrupted = [
                e for e in list_events(connection) if e.action == "records.import_interrupted"
            ]
        assert interrupted and interrupted[0].detail["records_removed"] >= written
    finally:
        reopened.close()
