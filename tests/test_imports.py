"""Importing exports into a review: batches, problems, re-imports, and files that must
leave nothing behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from realist.domain.screening import Stage
from realist.errors import InvalidInput
from realist.services.imports import import_file
from realist.services.reviews import init_review
from realist.store import Store, open_store
from realist.store import screening as screening_repo
from realist.store.events import list_events
from realist.store.schema import import_batch, import_problem, record, source

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL", "")


def _count(store: Store, table: sa.Table) -> int:
    with store.reading() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


@pytest.fixture
def store(db_target: str) -> Store:
    return init_review(db_target, "t", "ann")


def test_import_is_one_batch_with_its_source(store: Store) -> None:
    done = import_file(store, FIXTURES / "scopus.ris", source_name="Scopus", searched="2020-03-15")
    assert done.format == "ris" and done.imported == 2 and done.problem_count == 0
    with store.reading() as connection:
        batch = connection.execute(sa.select(import_batch)).one()
        assert (batch.record_count, batch.searched, batch.format) == (2, "2020-03-15", "ris")
        assert connection.execute(sa.select(source.c.name)).scalars().all() == ["Scopus"]
        raw = connection.execute(sa.select(record.c.raw)).scalars().first()
        assert raw and raw[0] == ["TY", "JOUR"]  # every raw field, in file order
        assert list_events(connection)[0].detail["records"] == 2
    store.close()


def test_reimporting_the_same_file_is_detected(store: Store, tmp_path: Path) -> None:
    import_file(store, FIXTURES / "pubmed.nbib")
    renamed = tmp_path / "same-content.txt"
    shutil.copy(FIXTURES / "pubmed.nbib", renamed)
    again = import_file(store, renamed)
    assert again.skipped.startswith("already imported as batch 1")
    assert again.imported == 0 and _count(store, import_batch) == 1
    forced = import_file(store, renamed, force=True)
    assert forced.imported > 0 and forced.possible_duplicates == forced.imported
    store.close()


def test_bad_records_are_reported_and_good_ones_kept(store: Store) -> None:
    done = import_file(store, FIXTURES / "no_title.ris")
    assert done.imported >= 1 and done.problem_count >= 1
    assert all(p.filename == "no_title.ris" and p.line >= 1 for p in done.problems)
    assert _count(store, import_problem) == done.problem_count
    store.close()


@pytest.mark.parametrize(
    "name",
    [
        "empty.ris",
        "blank.ris",
        "binary.ris",
        "not_a_format.txt",
        "excel.csv",
        "truncated.json",
    ],
)
def test_unreadable_files_leave_nothing_behind(store: Store, name: str) -> None:
    import_file(store, FIXTURES / "scopus.ris")
    with pytest.raises(InvalidInput, match=name.split(".")[0]):
        import_file(store, FIXTURES / name)
    assert _count(store, import_batch) == 1 and _count(store, record) == 2
    store.close()


def test_missing_file_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        import_file(store, tmp_path / "nope.ris")
    with pytest.raises(InvalidInput, match="folder"):
        import_file(store, tmp_path)
    store.close()


def test_prior_decisions_from_another_tool(store: Store) -> None:
    done = import_file(store, FIXTURES / "rayyan.csv", with_decisions=True)
    assert done.prior_decisions >= 2
    with store.reading() as connection:
        decisions = screening_repo.list_decisions(connection, Stage.TITLE_ABSTRACT)
    assert {d.decision.value for d in decisions} >= {"include", "exclude"}
    assert all(d.reviewer_key == "ann" for d in decisions)
    store.close()


def test_hostile_sizes(store: Store, tmp_path: Path) -> None:
    """A 200 MB single-line file and a record with 100k authors neither crash nor hang."""
    many = tmp_path / "authors.ris"
    many.write_text(
        "TY  - JOUR\nTI  - Big team science\n"
        + "".join(f"AU  - Author{n}, A\n" for n in range(100_000))
        + "ER  - \n",
        encoding="utf-8",
    )
    done = import_file(store, many)
    assert done.imported == 1 and any("authors" in p.reason for p in done.problems)
    with store.reading() as connection:
        authors = connection.execute(sa.select(record.c.authors)).scalars().one()
    assert 0 < len(authors) <= 1_000
    line = tmp_path / "one-line.ris"
    with line.open("wb") as handle:
        handle.write(b"TY  - JOUR\nTI  - ")
        handle.write(b"x" * 200_000_000)
    started = time.monotonic()
    cut = import_file(store, line)  # kept, with its title cut to the field limit
    assert time.monotonic() - started < 60
    assert cut.imported == 1 and cut.problem_count >= 1
    with store.reading() as connection:
        longest = connection.execute(
            sa.select(sa.func.max(sa.func.length(record.c.title)))
        ).scalar()
    assert longest is not None and longest <= 1_000_000
    store.close()


@pytest.mark.skipif(bool(PG_URL), reason="kills a local process writing a SQLite file")
def test_killed_import_leaves_all_or_nothing(store: Store, tmp_path: Path) -> None:
    big = tmp_path / "big.ris"
    big.write_text(
        "".join(
            f"TY  - JOUR\nTI  - Study number {n} of peer support\nAU  - Smith, J\n"
            f"PY  - 2019\nAB  - {'Abstract text. ' * 20}\nER  - \n"
            for n in range(60_000)
        ),
        encoding="utf-8",
    )
    target = store.target
    store.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "realist", "--db", target, "import", str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)  # well into parsing and inserting, before the commit
    process.send_signal(signal.SIGKILL)
    process.wait()
    reopened = open_store(target)
    records, batches = _count(reopened, record), _count(reopened, import_batch)
    assert (records, batches) in ((0, 0), (60_000, 1))
    reopened.close()
    # The file is big enough to be parsed by worker processes; they go with the importer.
    deadline = time.monotonic() + 10
    while _processes_reading(big) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_reading(big)


def _processes_reading(path: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(path).encode() in command and (entry / "stat").read_text().split()[2] != "Z":
            found.append(entry.name)
    return found


def _stored(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with store.reading() as connection:
        rows = connection.execute(sa.select(record).order_by(record.c.id)).all()
        problems = connection.execute(
            sa.select(import_problem.c.line, import_problem.c.reason).order_by(import_problem.c.id)
        ).all()
    return [tuple(row) for row in rows], [tuple(problem) for problem in problems]


def test_a_large_file_parsed_by_workers_is_stored_as_when_parsed_in_one_piece(
    db_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one piece into a SQLite file; then by workers into the store under test (SQLite,
    or PostgreSQL through COPY): the same rows and problems."""
    from realist.importers import segments

    big = tmp_path / "big.ris"
    big.write_bytes(
        (FIXTURES / "scopus.ris").read_bytes() * 40
        + b"TY  - JOUR\nAU  - Untitled, A\nER  - \n"
        + (FIXTURES / "zotero.ris").read_bytes() * 40
    )
    stored = []
    # Threads that other tests left behind would stop the workers (forking is unsafe then).
    monkeypatch.setattr(segments.threading, "active_count", lambda: 1)
    monkeypatch.setattr(segments, "SEGMENT_BYTES", 2_000)
    targets = ((str(tmp_path / "one-piece.realist"), 10**12, 0), (db_target, 1, 2))
    for target, min_bytes, workers in targets:
        monkeypatch.setattr(segments, "MIN_BYTES", min_bytes)
        store = init_review(target, "t", "ann")
        done = import_file(store, big)
        assert done.imported > 100 and done.problem_count >= 1 and done.workers == workers
        stored.append(_stored(store))
        store.close()
    assert stored[0] == stored[1]


def test_stored_records_keep_every_raw_field(store: Store) -> None:
    """Raw fields come back exactly as parsed (the store keeps abstracts once)."""
    from realist.importers import parse
    from realist.store import records as records_repo

    path = FIXTURES / "pubmed.nbib"
    parsed = parse(path.read_bytes(), path.name).records
    import_file(store, path)
    with store.reading() as connection:
        stored = records_repo.list_records(connection)
    assert [r.raw for r in stored] == [r.raw for r in parsed]
    assert any(tag == "AB" for r in stored for tag, _ in r.raw)
    store.close()


def test_a_bulk_import_leaves_postgresql_planning_for_its_size(
    store: Store, tmp_path: Path
) -> None:
    """Found by bench/web_load.py: after a 6,000-record import PostgreSQL still planned the
    screening queue as for an empty table (no statistics until autovacuum, and never on a
    copy of the database), 6x slower a decision. A bulk import reads them at once."""
    from realist.services import imports

    if store.dialect != "postgresql":
        pytest.skip("SQLite plans from its indexes; PostgreSQL from statistics")
    path = tmp_path / "bulk.ris"
    count = imports.ANALYZE_AFTER + 100
    path.write_text(
        "".join(f"TY  - JOUR\nTI  - Bulk study {n}\nPY  - 2020\nER  - \n\n" for n in range(count))
    )
    import_file(store, path)
    with store.reading() as connection:
        rows = connection.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE relname = 'record'")
        ).scalar()
    store.close()
    assert rows is not None and rows >= count  # -1 (never analysed) before the change
