"""Importing database exports: one file is one batch, stored whole or not at all."""

from __future__ import annotations

import functools
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store.events import append_event, now
from realist.store.schema import import_batch, import_problem, inserted_id, record, source
from realist.store.screening import insert_decision

CHUNK = 2_000  # records per executemany: big enough to be fast, small enough to stay lean
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


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read ({error.strerror})") from None


def _source_id(connection: Connection, name: str, kind: SourceKind, searched: str | None) -> int:
    found = connection.execute(
        sa.select(source.c.id, source.c.searched).where(source.c.name == name)
    ).first()
    if found is not None:
        if searched and not found.searched:  # the source's date, when it had none yet
            connection.execute(
                source.update().where(source.c.id == found.id).values(searched=searched)
            )
        return int(found.id)
    return inserted_id(
        connection.execute(source.insert().values(name=name, kind=kind, searched=searched, note=""))
    )


def _earlier_batch(connection: Connection, digest: str) -> str:
    row = connection.execute(
        sa.select(import_batch.c.id, import_batch.c.filename, import_batch.c.created_at)
        .where(import_batch.c.file_hash == digest)
        .order_by(import_batch.c.id)
        .limit(1)
    ).first()
    if row is None:
        return ""
    return f"already imported as batch {row.id} ({row.filename}, {row.created_at[:10]})"


def _possible_duplicates(connection: Connection, batch_id: int) -> int:
    """Records of this batch sharing a DOI or PMID with a record imported earlier."""
    others = sa.select(record.c.id).where(
        sa.or_(record.c.batch_id != batch_id, record.c.batch_id.is_(None))
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
        )
    ).scalar()
    return int(found or 0)


def _chunks(items: Iterable[Record | Problem]) -> Iterator[list[Record | Problem]]:
    chunk: list[Record | Problem] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _store_records(
    connection: Connection,
    batch_id: int,
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
            encode = functools.partial(records_repo.record_row, batch_id=batch_id)
            result.workers = WORKERS
            for segment in parse_in_workers(stream, encode, WORKERS):
                result.imported += records_repo.insert_rows(connection, segment.rows)
                _note_problems(result, segment.problems, progress)
        else:
            for chunk in _chunks(stream):
                records = [item for item in chunk if not isinstance(item, Problem)]
                result.imported += records_repo.insert_records(connection, records, batch_id)
                _note_problems(result, [i for i in chunk if isinstance(i, Problem)], progress)
    finally:
        if collecting:
            gc.enable()
    if result.problems:
        connection.execute(
            import_problem.insert(),
            [{"batch_id": batch_id, "line": p.line, "reason": p.reason} for p in result.problems],
        )


def _note_problems(
    result: FileImport, problems: list[Problem], progress: Callable[[int], None] | None
) -> None:
    result.problem_count += len(problems)
    result.problems.extend(problems[: MAX_STORED_PROBLEMS - len(result.problems)])
    if progress:
        progress(result.imported)


def _import_prior_decisions(connection: Connection, batch_id: int, reviewer: str) -> int:
    """Decisions another tool recorded in the file (e.g. Rayyan labels), as title/abstract
    decisions by the importing reviewer, so a review can migrate mid-screening."""
    who = reviews_repo.reviewer_id(connection, reviewer)
    count = 0
    for row in connection.execute(sa.select(record).where(record.c.batch_id == batch_id)):
        found = prior_decision(records_repo.row_to_record(row))
        if found is None:
            continue
        note = "imported from the file's own screening labels"
        decision = ScreeningDecision(row.id, Stage.TITLE_ABSTRACT, Decision(found), reviewer)
        decision.note = note
        insert_decision(connection, decision, who)
        count += 1
    return count


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
    """Import one file as one batch, in one transaction: a crash, a kill or an unreadable
    file leaves nothing behind. Bad records become problems; good ones are kept.
    ``searched`` must be a date as :func:`realist.services.search_strategy.searched_date`
    takes it (InvalidInput otherwise, before anything is read)."""
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
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        batch_id = inserted_id(
            connection.execute(
                import_batch.insert().values(
                    source_id=_source_id(connection, result.source, source_kind, searched),
                    filename=path.name,
                    file_hash=digest,
                    format=result.format,
                    searched=searched,
                    reviewer_id=who,
                    created_at=now(),
                )
            )
        )
        stream = iter_parse(data, path.name, result.format, max_field_chars=limit)
        _store_records(connection, batch_id, stream, result, progress)
        if result.imported == 0:
            raise InvalidInput(
                f"{path}: no records could be read"
                + (f" ({result.problems[0].reason})" if result.problems else "")
            )
        connection.execute(
            import_batch.update()
            .where(import_batch.c.id == batch_id)
            .values(record_count=result.imported, problem_count=result.problem_count)
        )
        if with_decisions:
            result.prior_decisions = _import_prior_decisions(connection, batch_id, key)
        result.possible_duplicates = _possible_duplicates(connection, batch_id)
        result.batch_id = batch_id
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
    return result
