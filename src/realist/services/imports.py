"""Importing database exports: one file is one batch, shown whole or not at all."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.records import Record
from realist.domain.review import SourceKind
from realist.domain.screening import Decision, ScreeningDecision, Stage
from realist.errors import InvalidInput
from realist.importers import ParseStream, detect_format, iter_parse
from realist.importers.base import Problem
from realist.importers.prior_decisions import prior_decision
from realist.importers.segments import WORKERS, parse_in_workers, splittable
from realist.services.search_strategy import searched_date
from realist.settings import setting
from realist.store import Store
from realist.store import batches as batches_repo
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store.events import append_event, now
from realist.store.schema import import_batch, import_problem, inserted_id, record, source
from realist.store.screening import insert_decision

CHUNK = 2_000  # records per COPY on PostgreSQL: big enough to be fast, small enough to stay lean
# On SQLite each chunk holds the review's only write lock: ~10 ms for 500 records with
# their abstracts, then SQLITE_PAUSE without it, longer than a waiting writer's longest
# sleep between tries (store.connect), so a screening decision waits one chunk at most.
SQLITE_CHUNK = 500
SQLITE_PAUSE = 0.006
MAX_STORED_PROBLEMS = 10_000  # a broken file should not flood the store; all are counted


@dataclass
class FileImport:
    """What happened to one file."""

    filename: str
    format: str = ""
    source: str = ""
    imported: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    possible_duplicates: int = 0
    prior_decisions: int = 0
    batch_id: int | None = None
    skipped: str = ""  # why the file was not imported (e.g. already imported)
    workers: int = 0  # processes that parsed the file besides this one (large files)


# A bulk load leaves PostgreSQL's planner with the table sizes of before it until
# autovacuum gets round to it (a minute, or never on a database copied from a template):
# the screening queue was then planned as for an empty review (2.9 ms a decision instead of
# 0.5 at 6,000 records). Reading the new statistics at once costs milliseconds.
ANALYZE_AFTER = 500


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read ({error.strerror})") from None


def _source_id(
    connection: Connection, name: str, kind: SourceKind, searched: str | None
) -> tuple[int, bool]:
    """The source named ``name``, made if there is none (then True: the import made it)."""
    found = connection.execute(sa.select(source.c.id).where(source.c.name == name)).first()
    if found is not None:
        return int(found.id), False
    made = source.insert().values(name=name, kind=kind, searched=searched, note="")
    return inserted_id(connection.execute(made)), True


def _date_source(connection: Connection, source_id: int, searched: str | None) -> None:
    """Give the source the batch's date searched, when it had none yet."""
    if searched:
        connection.execute(
            source.update()
            .where(source.c.id == source_id, source.c.searched.is_(None))
            .values(searched=searched)
        )


def _earlier_batch(connection: Connection, digest: str) -> str:
    row = connection.execute(
        sa.select(import_batch.c.id, import_batch.c.filename, import_batch.c.created_at)
        .where(import_batch.c.file_hash == digest, batches_repo.COMPLETE)
        .order_by(import_batch.c.id)
        .limit(1)
    ).first()
    if row is None:
        return ""
    return f"already imported as batch {row.id} ({row.filename}, {row.created_at[:10]})"


def _possible_duplicates(connection: Connection, batch_id: int) -> int:
    """Records of this batch sharing a DOI or PMID with a record imported earlier."""
    others = sa.select(record.c.id).where(
        sa.or_(record.c.batch_id != batch_id, record.c.batch_id.is_(None)), batches_repo.VISIBLE
    )
    if connection.execute(others.limit(1)).first() is None:
        return 0  # the first import into a review: nothing to compare with, no join to run
    earlier = record.alias("earlier")
    same_id = sa.or_(
        sa.and_(record.c.doi != "", earlier.c.doi == record.c.doi),
        sa.and_(record.c.pmid != "", earlier.c.pmid == record.c.pmid),
    )
    found = connection.execute(
        sa.select(sa.func.count(sa.distinct(record.c.id)))
        .select_from(record)
        .join(earlier, same_id)
        .where(
            record.c.batch_id == batch_id,
            earlier.c.id != record.c.id,
            sa.or_(earlier.c.batch_id != batch_id, earlier.c.batch_id.is_(None)),
            sa.or_(
                earlier.c.batch_id.is_(None), earlier.c.batch_id.not_in(batches_repo.UNFINISHED)
            ),
        )
    ).scalar()
    return int(found or 0)


def _chunks(items: Iterable[Record | Problem], size: int) -> Iterator[list[Record | Problem]]:
    chunk: list[Record | Problem] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pieces(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@dataclass
class _Batch:
    """The unfinished batch an import writes into, and the process that owns it."""

    store: Store
    id: int
    owner: str
    chunk: int  # records per transaction

    def write(
        self,
        rows: Sequence[Sequence[object]],
        problems: list[Problem],
        result: FileImport,
        progress: Callable[[int], None] | None,
    ) -> None:
        """One chunk in one short transaction, with the problems met and the batch's
        heartbeat; then a pause on SQLite, so that writers waiting for the lock (another
        process's screening decisions) get it between two chunks."""
        kept = problems[: max(0, MAX_STORED_PROBLEMS - len(result.problems))]
        with self.store.transaction() as connection:
            # First: is the batch still this importer's? (and, on PostgreSQL, lock its row)
            batches_repo.keep_alive(
                connection,
                self.id,
                self.owner,
                result.imported + len(rows),
                result.problem_count + len(problems),
            )
            written = records_repo.insert_rows(connection, rows)
            if kept:
                connection.execute(
                    import_problem.insert(),
                    [{"batch_id": self.id, "line": p.line, "reason": p.reason} for p in kept],
                )
        result.imported += written
        result.problem_count += len(problems)
        result.problems.extend(kept)
        if progress:
            progress(result.imported)
        if self.store.dialect == "sqlite":
            time.sleep(SQLITE_PAUSE)


def _store_records(
    batch: _Batch,
    stream: ParseStream,
    result: FileImport,
    progress: Callable[[int], None] | None,
) -> None:
    # Parsing makes no reference cycles, so the cyclic collector only costs time here
    # (about a seventh of an import of 100k records); it is back on when the import ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if splittable(stream):
            encode = functools.partial(records_repo.record_row, batch_id=batch.id)
            result.workers = WORKERS
            for segment in parse_in_workers(stream, encode, WORKERS):
                pieces = list(_pieces(segment.rows, batch.chunk)) or [[]]
                for n, rows in enumerate(pieces):
                    last = n == len(pieces) - 1
                    batch.write(rows, segment.problems if last else [], result, progress)
        else:
            for chunk in _chunks(stream, batch.chunk):
                rows = [
                    records_repo.record_row(item, batch.id)
                    for item in chunk
                    if not isinstance(item, Problem)
                ]
                problems = [item for item in chunk if isinstance(item, Problem)]
                batch.write(rows, problems, result, progress)
    finally:
        if collecting:
            gc.enable()


def _prior_decisions(store: Store, batch_id: int, reviewer: str) -> list[ScreeningDecision]:
    """Decisions another tool recorded in the file (e.g. Rayyan labels), as title/abstract
    decisions by the importing reviewer, so a review can migrate mid-screening. Read from
    the unfinished batch; written when it is completed."""
    found = []
    with store.reading() as connection:
        for row in connection.execute(sa.select(record).where(record.c.batch_id == batch_id)):
            label = prior_decision(records_repo.row_to_record(row))
            if label is None:
                continue
            decision = ScreeningDecision(row.id, Stage.TITLE_ABSTRACT, Decision(label), reviewer)
            decision.note = "imported from the file's own screening labels"
            found.append(decision)
    return found


class _AlreadyImported(Exception):
    """The same file was completed by another import while this one was writing."""


def import_file(
    store: Store,
    path: Path,
    *,
    source_name: str | None = None,
    source_kind: SourceKind = SourceKind.DATABASE,
    searched: str | None = None,
    reviewer: str | None = None,
    force: bool = False,
    with_decisions: bool = False,
    progress: Callable[[int], None] | None = None,
) -> FileImport:
    """Import one file as one batch, shown whole or not at all: written in short
    transactions (so other writers never wait long) into a batch nobody sees until its
    last transaction completes it (:mod:`realist.store.batches`). A failure removes what
    was written; a kill leaves it unseen, and the next process to open the review removes
    it. Bad records become problems; good ones are kept. ``searched`` must be a date as
    :func:`realist.services.search_strategy.searched_date` takes it (InvalidInput
    otherwise, before anything is read)."""
    searched = searched_date(searched)
    data = _read(path)
    digest = hashlib.sha256(data).hexdigest()
    result = FileImport(filename=path.name)
    with store.reading() as connection:
        earlier = _earlier_batch(connection, digest)
    if earlier and not force:
        result.skipped = earlier
        return result
    result.format = detect_format(data, path.name)  # InvalidInput for unreadable files
    result.source = source_name or path.stem
    limit = int(setting("max_field_chars"))
    with store.transaction() as connection:
        batches_repo.serialise(connection)  # the source is found or made by name
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        source_id, made_source = _source_id(connection, result.source, source_kind, searched)
        batch_id, owner = batches_repo.begin(
            connection,
            {
                "source_id": source_id,
                "made_source": made_source,
                "filename": path.name,
                "file_hash": digest,
                "format": result.format,
                "searched": searched,
                "reviewer_id": who,
                "created_at": now(),
            },
        )
    chunk = SQLITE_CHUNK if store.dialect == "sqlite" else CHUNK
    try:
        stream = iter_parse(data, path.name, result.format, max_field_chars=limit)
        _store_records(_Batch(store, batch_id, owner, chunk), stream, result, progress)
        if result.imported == 0:
            raise InvalidInput(
                f"{path}: no records could be read"
                + (f" ({result.problems[0].reason})" if result.problems else "")
            )
        decisions = _prior_decisions(store, batch_id, key) if with_decisions else []
        with store.transaction() as connection:
            batches_repo.serialise(connection)  # "not imported already" spans batches
            earlier = "" if force else _earlier_batch(connection, digest)
            if earlier:
                raise _AlreadyImported(earlier)
            batches_repo.complete(
                connection, batch_id, owner, result.imported, result.problem_count
            )
            _date_source(connection, source_id, searched)
            for decision in decisions:
                insert_decision(connection, decision, who)
            result.prior_decisions = len(decisions)
            append_event(
                connection,
                "records.imported",
                key,
                f"batch:{batch_id}",
                {
                    "file": path.name,
                    "format": result.format,
                    "source": result.source,
                    "records": result.imported,
                    "problems": result.problem_count,
                    "searched": searched,
                },
            )
    except _AlreadyImported as found:
        batches_repo.abandon(store, batch_id, owner)
        return FileImport(filename=path.name, skipped=str(found))
    except BaseException:
        # What was written goes now; if even that fails, it stays unseen until the next
        # process opens the review (this one still owns it, so nothing else removes it).
        with contextlib.suppress(Exception):
            batches_repo.abandon(store, batch_id, owner)
        raise
    result.batch_id = batch_id
    if result.imported >= ANALYZE_AFTER:
        batches_repo.refresh_statistics(store)
    with store.reading() as connection:
        result.possible_duplicates = _possible_duplicates(connection, batch_id)
    return result
