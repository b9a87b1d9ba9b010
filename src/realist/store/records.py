"""Repository for import batches and bibliographic records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.folding import record_search_text
from realist.domain.records import Record
from realist.errors import NotFound
from realist.store.batches import VISIBLE
from realist.store.schema import inserted_id, record


def compact_raw(item: Record) -> list[tuple[str, str | None]]:
    """The raw fields as stored: a value equal to the abstract column is stored as null.

    Abstracts are most of a record's size and most exports carry them unchanged, so this
    halves what an import writes without losing anything (:func:`row_to_record` restores).
    """
    abstract = item.abstract
    if not abstract:
        return list(item.raw)
    return [(tag, None if value == abstract else value) for tag, value in item.raw]


def record_values(item: Record, batch_id: int | None) -> dict[str, object]:
    """A record as a row, ready for an executemany insert."""
    return {
        "batch_id": batch_id,
        "title": item.title,
        "authors": item.authors,
        "year": item.year,
        "journal": item.journal,
        "volume": item.volume,
        "issue": item.issue,
        "pages": item.pages,
        "doi": item.doi,
        "pmid": item.pmid,
        "issn": item.issn,
        "abstract": item.abstract,
        "keywords": item.keywords,
        "kind": item.kind,
        "raw": compact_raw(item),
        "source_line": item.source_line,
        "duplicate_of": item.duplicate_of,
        "search_text": search_text(item),
    }


def search_text(item: Record) -> str:
    """What a records search looks in (see :mod:`realist.domain.folding`)."""
    return record_search_text(
        item.title, item.authors, item.journal, item.doi, item.year, item.pmid
    )


def insert_record(connection: Connection, item: Record, batch_id: int | None = None) -> int:
    result = connection.execute(record.insert().values(**record_values(item, batch_id)))
    return inserted_id(result)


def insert_records(
    connection: Connection, items: Iterable[Record], batch_id: int | None = None
) -> int:
    """Insert many records at once; returns how many."""
    return insert_rows(connection, [record_row(item, batch_id) for item in items])


def insert_rows(connection: Connection, rows: Sequence[Sequence[object]]) -> int:
    """Insert rows made by :func:`record_row` (perhaps in another process); how many.

    Straight through the driver, with JSON already written: SQLite's ``executemany`` and
    PostgreSQL's ``COPY`` are several times faster than SQLAlchemy's per-row type
    processing, and imports of 100k records spend most of their time here.
    """
    if not rows:
        return 0
    if connection.dialect.name == "sqlite":
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(_SQLITE_INSERT, rows)
        finally:
            cursor.close()
    else:
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


COLUMNS = (
    "batch_id",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "issn",
    "abstract",
    "keywords",
    "kind",
    "raw",
    "source_line",
    "duplicate_of",
    "search_text",
)
JSON_COLUMNS = frozenset(("authors", "keywords", "raw"))
_SQLITE_INSERT = (
    f"INSERT INTO record ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
)
_COPY = f"COPY record ({', '.join(COLUMNS)}) FROM STDIN"


def _dumps(value: object) -> str:
    # orjson is several times faster than json for the raw fields, which hold every
    # imported value (abstracts included) and dominate an import's serialisation time.
    return orjson.dumps(value).decode("utf-8")


def record_row(item: Record, batch_id: int | None) -> tuple[object, ...]:
    """The same values as :func:`record_values`, in COLUMNS order, JSON already written:
    what :func:`insert_rows` takes (and import workers send, see importers.segments)."""
    return (
        batch_id,
        item.title,
        _dumps(item.authors),
        item.year,
        item.journal,
        item.volume,
        item.issue,
        item.pages,
        item.doi,
        item.pmid,
        item.issn,
        item.abstract,
        _dumps(item.keywords),
        item.kind,
        _dumps(compact_raw(item)),
        item.source_line,
        item.duplicate_of,
        search_text(item),
    )


def row_to_record(row: sa.Row[tuple[object, ...]]) -> Record:
    return Record(
        title=row.title,
        authors=list(row.authors),
        year=row.year,
        journal=row.journal,
        volume=row.volume,
        issue=row.issue,
        pages=row.pages,
        doi=row.doi,
        pmid=row.pmid,
        issn=row.issn,
        abstract=row.abstract,
        keywords=list(row.keywords),
        kind=row.kind,
        raw=[(str(tag), row.abstract if value is None else str(value)) for tag, value in row.raw],
        batch_id=row.batch_id,
        source_line=row.source_line,
        duplicate_of=row.duplicate_of,
        id=row.id,
    )


def list_records(connection: Connection, *, limit: int | None = None) -> list[Record]:
    query = sa.select(record).where(VISIBLE).order_by(record.c.id)
    if limit is not None:
        query = query.limit(limit)
    return [row_to_record(r) for r in connection.execute(query)]


# Built once. A record of an import still being written is not there yet (store.batches).
_BY_ID = sa.select(record).where(record.c.id == sa.bindparam("id"), VISIBLE)


def find_record(connection: Connection, record_id: int) -> Record | None:
    row = connection.execute(_BY_ID, {"id": record_id}).first()
    return row_to_record(row) if row else None


def get_record(connection: Connection, record_id: int) -> Record:
    found = find_record(connection, record_id)
    if found is None:
        raise NotFound(f"no record {record_id} in this review")
    return found
