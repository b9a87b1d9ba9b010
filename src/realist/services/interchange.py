"""Exports and imports that move a review to and from other tools (docs/INTERCHANGE.md).

Each export reads the review and writes one file atomically (a temporary file renamed into
place, so a failure never leaves half a file). Each import runs in one transaction: the
whole file is taken, or nothing. Formats live in :mod:`realist.interchange`.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import realist
from realist.domain.records import DuplicateStatus
from realist.domain.screening import ScreeningDecision, Stage, blinded
from realist.errors import InvalidInput, ReviewExists
from realist.interchange import archive as archive_format
from realist.interchange import records_table
from realist.interchange.records_table import RecordRow, StageView, Vote
from realist.interchange.refi_export import ExportSummary, review_project
from realist.interchange.refi_import import QdpxImport, apply_project
from realist.interchange.refi_read import read_qdpx
from realist.interchange.refi_write import write_qdpx
from realist.interchange.zips import ZipLimits, ZipReader, deterministic_zip
from realist.reports.prisma_csv import to_prisma2020_csv
from realist.services.blinding import check_may_take_every_vote
from realist.services.prisma import prisma_counts
from realist.services.screening import outcomes
from realist.store import Store, create_store, resolve_url
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.batches import VISIBLE
from realist.store.connect import head_revision, known_revisions
from realist.store.events import append_event
from realist.store.schema import (
    duplicate_group,
    duplicate_member,
    import_batch,
    record,
    review,
    source,
)
from realist.store.schema_analysis import event

__all__ = [
    "RECORD_FORMATS",
    "ArchiveImport",
    "Exported",
    "export_archive",
    "export_prisma_csv",
    "export_qdpx",
    "export_records",
    "import_archive",
    "import_qdpx",
    "record_rows",
]

RECORD_FORMATS = ("ris", "csv", "xlsx")


@dataclass
class Exported:
    """A file written by an export."""

    path: Path
    format: str
    bytes: int
    counts: dict[str, int] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)


@dataclass
class ArchiveImport:
    """A review restored from an archive."""

    target: str
    schema_revision: str
    format_version: int
    tables: dict[str, int]


def _write(path: Path, data: bytes) -> int:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed into
    place only when complete."""
    if not path.parent.is_dir():
        raise InvalidInput(f"{path}: folder {path.parent} does not exist")
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InvalidInput(f"{path}: cannot write ({error.strerror})") from None
    return len(data)


def data_time(connection: Connection) -> datetime:
    """When the review last changed (its newest event, else its creation): the timestamp
    written where a format requires one, so unchanged data gives unchanged bytes."""
    latest = connection.execute(sa.select(sa.func.max(event.c.at))).scalar()
    latest = latest or connection.execute(sa.select(review.c.created_at)).scalar()
    return datetime.fromisoformat(latest) if latest else datetime(1980, 1, 1, tzinfo=UTC)


def _duplicates(connection: Connection) -> tuple[set[int], set[int]]:
    """(records that are keepers of merged duplicates, records in groups awaiting review)."""
    keepers = {
        r[0]
        for r in connection.execute(
            sa.select(record.c.duplicate_of).where(record.c.duplicate_of.is_not(None)).distinct()
        )
    }
    pending = {
        r[0]
        for r in connection.execute(
            sa.select(duplicate_member.c.record_id)
            .join(duplicate_group, duplicate_group.c.id == duplicate_member.c.group_id)
            .where(duplicate_group.c.status == DuplicateStatus.PENDING)
        )
    }
    return keepers, pending


def _stage_views(connection: Connection, viewer: str) -> dict[int, dict[Stage, StageView]]:
    texts = {c.code: c.text for c in reviews_repo.list_criteria(connection)}
    mode = reviews_repo.get_review(connection).screening_mode
    made: dict[tuple[int, Stage], list[ScreeningDecision]] = defaultdict(list)
    for d in screening_repo.list_decisions(connection):
        made[(d.record_id, d.stage)].append(d)
    settled = {stage: outcomes(connection, stage) for stage in Stage}
    views: dict[int, dict[Stage, StageView]] = defaultdict(dict)
    for (record_id, stage), decisions in made.items():
        if blinded(decisions, mode, viewer):
            continue  # dual screening: shown as undecided, no vote, until both are in
        by_reviewer = {d.reviewer_key: d for d in decisions}  # each one's last word counts
        votes = [
            Vote(
                reviewer=d.reviewer_key,
                decision=d.decision.value,
                reason=d.criterion_code or "",
                reason_text=texts.get(d.criterion_code or "", ""),
                note=d.note,
                resolves_conflict=d.resolves_conflict,
            )
            for d in by_reviewer.values()
        ]
        views[record_id][stage] = StageView(settled[stage][record_id].value, votes)
    return views


def record_rows(connection: Connection, viewer: str) -> list[RecordRow]:
    """Every record (merged duplicates too), in id order, with source and decisions as
    ``viewer`` may see them (dual screening: none on a record they have not decided and
    fewer than two reviewers have)."""
    keepers, pending = _duplicates(connection)
    views = _stage_views(connection, viewer)
    rows = []
    query = (
        sa.select(record, source.c.name.label("source_name"), import_batch.c.filename)
        .outerjoin(import_batch, import_batch.c.id == record.c.batch_id)
        .outerjoin(source, source.c.id == import_batch.c.source_id)
        .where(VISIBLE)
        .order_by(record.c.id)
    )
    for r in connection.execute(query):
        if r.duplicate_of is not None:
            status = "duplicate"
        elif r.id in keepers:
            status = "keeper"
        elif r.id in pending:
            status = "possible_duplicate"
        else:
            status = "unique"
        rows.append(
            RecordRow(
                record=records_repo.row_to_record(r),
                source=r.source_name or "",
                file=r.filename or "",
                duplicate_status=status,
                duplicate_of=r.duplicate_of,
                stages=views.get(r.id, {}),
            )
        )
    return rows


def export_records(
    store: Store,
    path: Path,
    fmt: str,
    with_decisions: bool = False,
    viewer: str | None = None,
) -> Exported:
    """Write every record as RIS, CSV or XLSX (with screening decisions when asked, as
    ``viewer``, default the owner, may see them: see :func:`record_rows`)."""
    if fmt not in RECORD_FORMATS:
        raise InvalidInput(f"unknown records format {fmt!r} (use {', '.join(RECORD_FORMATS)})")
    with store.reading() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, viewer)
        rows = record_rows(connection, key)
        as_of = data_time(connection)
    if fmt == "ris":
        data = records_table.to_ris(rows, with_decisions).encode("utf-8")
    elif fmt == "csv":
        data = records_table.to_csv(rows, with_decisions).encode("utf-8")
    else:
        data = records_table.to_xlsx(rows, as_of, with_decisions)
    return Exported(path, fmt, _write(path, data), {"records": len(rows)})


def export_qdpx(store: Store, path: Path) -> Exported:
    """Write the review as a REFI-QDA project (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA and
    QualCoder: codebook, reviewers, documents' current texts, excerpts, codings, notes."""
    with store.reading() as connection:
        project, summary = review_project(connection)
    size = _write(path, write_qdpx(project))
    return Exported(path, "qdpx", size, _summary_counts(summary), summary.left_out)


def _summary_counts(summary: ExportSummary) -> dict[str, int]:
    return {
        "codes": summary.codes,
        "users": summary.users,
        "sources": summary.sources,
        "selections": summary.selections,
        "codings": summary.codings,
        "notes": summary.notes,
    }


def import_qdpx(
    store: Store, path: Path, reviewer: str | None, limits: ZipLimits | None = None
) -> QdpxImport:
    """Import a REFI-QDA project into the review, in one transaction: documents, the
    codebook as topics/configurations/components where missing, excerpts and codings."""
    project = read_qdpx(path, limits)  # refuses invalid files before anything is written
    report = QdpxImport(filename=path.name)
    with store.transaction() as connection:
        who = reviews_repo.resolve_reviewer(connection, reviewer)
        apply_project(connection, project, report, who)
        append_event(
            connection,
            "qdpx.imported",
            who[0],
            "review",
            {
                "file": path.name,
                "origin": project.origin,
                "documents": report.documents_created,
                "configurations": report.configurations_created,
                "excerpts": report.excerpts_created,
                "codings": report.codings_created,
                "skipped": len(report.skipped),
            },
        )
    return report


def export_archive(store: Store, path: Path, viewer: str | None = None) -> Exported:
    """Write the whole review (every table, and the stored original files) as one zip.

    The archive holds every vote and every event, so while dual screening still blinds a
    vote (a record only one reviewer has decided) only an owner may take it
    (:class:`NotAllowed` for ``viewer`` of another role; default: the owner)."""
    options = {"isolation_level": "REPEATABLE READ"} if store.dialect == "postgresql" else {}
    with store.engine.connect() as connection, connection.execution_options(**options).begin():
        check_may_take_every_vote(connection, viewer, "the whole-review archive")
        # One snapshot: tables read later must not see rows written after earlier ones.
        members, counts = archive_format.dump(connection, head_revision(), realist.__version__)
    return Exported(path, "archive", _write(path, deterministic_zip(members)), counts)


def export_prisma_csv(store: Store, path: Path) -> Exported:
    """Write the PRISMA 2020 counts as the PRISMA2020 R package's CSV."""
    text = to_prisma2020_csv(prisma_counts(store))
    return Exported(path, "prisma-csv", _write(path, text.encode("utf-8")))


def import_archive(path: Path, target: str, limits: ZipLimits | None = None) -> ArchiveImport:
    """Restore an archive into an EMPTY store (a new SQLite file or an empty PostgreSQL
    database): every row with its id, so the review is identical to the one exported."""
    with ZipReader(path, limits) as archive:
        manifest = archive_format.read_manifest(archive, head_revision(), known_revisions())
        url = resolve_url(target)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            tables = _restore_sqlite(Path(str(url.database)), archive, manifest)
        else:
            tables = _restore_server(target, archive, manifest)
    return ArchiveImport(target, manifest["schema_revision"], manifest["format_version"], tables)


def _restore_sqlite(path: Path, archive: ZipReader, manifest: dict[str, object]) -> dict[str, int]:
    # Built in a temporary file beside the target and linked into place when complete, so
    # a failure leaves no file, and a file that appeared meanwhile is never overwritten.
    if path.exists() and path.stat().st_size > 0:
        raise ReviewExists(f"{path} already exists; restore an archive only into a new store")
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.restoring")
    try:
        store = create_store(str(temporary))
        try:
            with store.transaction() as connection:
                tables = archive_format.restore(connection, archive, manifest)
            with store.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            store.close()
        if path.exists() and path.stat().st_size == 0:
            path.unlink()
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise ReviewExists(f"{path} appeared while restoring; nothing was changed") from None
    finally:
        for leftover in (temporary, *(Path(f"{temporary}{s}") for s in ("-wal", "-shm"))):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return tables


def _restore_server(target: str, archive: ZipReader, manifest: dict[str, object]) -> dict[str, int]:
    store = create_store(target)  # refuses a database that holds anything
    try:
        with store.transaction() as connection:
            return archive_format.restore(connection, archive, manifest)
    except BaseException:
        # The schema was committed by create_store; take it away so the database is empty
        # again, as it was before, and the import can be retried.
        with store.transaction() as connection:
            everything = sa.MetaData()
            everything.reflect(connection)
            everything.drop_all(connection)
        raise
    finally:
        store.close()
