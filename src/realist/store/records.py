"""Repository for import batches and bibliographic records."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.records import Record
from realist.errors import NotFound
from realist.store.schema import inserted_id, record


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
        "raw": [list(pair) for pair in item.raw],
        "source_line": item.source_line,
        "duplicate_of": item.duplicate_of,
    }


def insert_record(connection: Connection, item: Record, batch_id: int | None = None) -> int:
    result = connection.execute(record.insert().values(**record_values(item, batch_id)))
    return inserted_id(result)


def insert_records(
    connection: Connection, items: Iterable[Record], batch_id: int | None = None
) -> int:
    """Insert many records in one executemany; returns how many."""
    rows = [record_values(item, batch_id) for item in items]
    if rows:
        connection.execute(record.insert(), rows)
    return len(rows)


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
        raw=[(str(tag), str(value)) for tag, value in row.raw],
        batch_id=row.batch_id,
        source_line=row.source_line,
        duplicate_of=row.duplicate_of,
        id=row.id,
    )


def list_records(connection: Connection, *, limit: int | None = None) -> list[Record]:
    query = sa.select(record).order_by(record.c.id)
    if limit is not None:
        query = query.limit(limit)
    return [row_to_record(r) for r in connection.execute(query)]


def find_record(connection: Connection, record_id: int) -> Record | None:
    row = connection.execute(sa.select(record).where(record.c.id == record_id)).first()
    return row_to_record(row) if row else None


def get_record(connection: Connection, record_id: int) -> Record:
    found = find_record(connection, record_id)
    if found is None:
        raise NotFound(f"no record {record_id} in this review")
    return found
