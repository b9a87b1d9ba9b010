"""Listing and finding records, with where each stands."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from realist.domain.records import Record
from realist.domain.screening import Outcome, Stage
from realist.services.screening import outcomes
from realist.store import Store
from realist.store import records as records_repo
from realist.store.schema import import_batch, record, source


@dataclass
class RecordRow:
    record: Record
    source: str
    title_abstract: Outcome
    full_text: Outcome


def list_records(
    store: Store,
    *,
    text: str | None = None,
    source_name: str | None = None,
    include_duplicates: bool = False,
    limit: int = 100,
) -> list[RecordRow]:
    """Records (standing ones unless asked), optionally matching words of the title."""
    query = (
        sa.select(record, source.c.name.label("source_name"))
        .outerjoin(import_batch, import_batch.c.id == record.c.batch_id)
        .outerjoin(source, source.c.id == import_batch.c.source_id)
        .order_by(record.c.id)
        .limit(limit)
    )
    if not include_duplicates:
        query = query.where(record.c.duplicate_of.is_(None))
    if source_name:
        query = query.where(source.c.name == source_name)
    for word in (text or "").split():
        query = query.where(record.c.title.ilike(f"%{word}%"))
    with store.reading() as connection:
        first = outcomes(connection, Stage.TITLE_ABSTRACT)
        second = outcomes(connection, Stage.FULL_TEXT)
        return [
            RecordRow(
                records_repo.row_to_record(r),
                r.source_name or "",
                first.get(r.id, Outcome.UNDECIDED),
                second.get(r.id, Outcome.UNDECIDED),
            )
            for r in connection.execute(query)
        ]


def list_sources(store: Store) -> list[str]:
    """Names of the review's sources (searched or imported from), in the order added."""
    with store.reading() as connection:
        return [r[0] for r in connection.execute(sa.select(source.c.name).order_by(source.c.id))]


def get_records(store: Store, ids: list[int]) -> dict[int, Record]:
    """Records by id (missing ids are left out)."""
    with store.reading() as connection:
        rows = connection.execute(sa.select(record).where(record.c.id.in_(ids)))
        return {r.id: records_repo.row_to_record(r) for r in rows}
