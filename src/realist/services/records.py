"""Listing and finding records, with where each stands.

Every filter runs in the database, so a filter finds every matching record of a review of
any size, and a list is paged with a count of all the records that match.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.bibliography import normalise_doi
from realist.domain.folding import fold
from realist.domain.records import Record
from realist.domain.screening import (
    Decision,
    Outcome,
    ScreeningDecision,
    ScreeningMode,
    Stage,
    blinded,
    settle,
)
from realist.store import Store
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.batches import SOURCE_VISIBLE, VISIBLE
from realist.store.schema import import_batch, record, reviewer, screening_decision, source

# Which records a list holds: standing ones (not merged into another), merged duplicates
# only, or all of them.
Duplicates = Literal["standing", "merged", "all"]


@dataclass
class RecordRow:
    record: Record
    source: str
    title_abstract: Outcome
    full_text: Outcome


@dataclass
class RecordPage:
    """One page of the records matching some filters, and how many match in all."""

    rows: list[RecordRow]
    total: int  # records matching the filters, on every page
    offset: int
    limit: int

    @property
    def more(self) -> bool:
        """Whether records matching the filters come after this page."""
        return self.offset + len(self.rows) < self.total


def find_records(
    store: Store,
    *,
    text: str | None = None,
    source_name: str | None = None,
    duplicates: Duplicates = "standing",
    title_abstract: Outcome | None = None,
    full_text: Outcome | None = None,
    offset: int = 0,
    limit: int = 100,
    viewer: str | None = None,
) -> RecordPage:
    """Records matching every filter given, oldest first: ``limit`` of them from
    ``offset``, with the number matching in all, as ``viewer`` (default: the owner) may
    see them: in dual screening a record they have not decided, and that fewer than two
    have, is "undecided" to them (shown and filtered so) whether or not another reviewer
    has voted on it (:func:`realist.domain.screening.blinded`).

    ``text``: each word must be in the title, the authors, the journal, the DOI, the year
    or the PMID, whatever its case or accents ("muller" finds "Müller", "saude" finds
    "Saúde"); a word that is a DOI or a PMID also finds the record with exactly that one.
    ``source_name``: the source's name, exactly.
    ``title_abstract``/``full_text``: where records stand at that stage, as
    :func:`realist.domain.screening.settle` decides it (single or dual screening,
    conflicts and their resolutions).
    """
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit cannot be negative")
    with store.reading() as connection:
        mode = reviews_repo.get_review(connection).screening_mode
        key, who = reviews_repo.resolve_reviewer(connection, viewer)
        where = _conditions(text, source_name, duplicates, mode, title_abstract, full_text, who)
        joined = record.outerjoin(import_batch, import_batch.c.id == record.c.batch_id).outerjoin(
            source, source.c.id == import_batch.c.source_id
        )
        # One pass over the matching ids gives the page and the count: an outcome filter
        # settles every decision at its stage, and is then worked out once, not twice.
        matching = sa.func.count().over().label("matching")
        page = connection.execute(
            sa.select(record.c.id, matching)
            .select_from(joined)
            .where(*where)
            .order_by(record.c.id)
            .offset(offset)
            .limit(limit)
        ).all()
        if page:
            total = int(page[0].matching)
        elif offset or not limit:  # past the last page, or only the count was asked for
            count = sa.select(sa.func.count()).select_from(joined).where(*where)
            total = int(connection.execute(count).scalar_one())
        else:
            total = 0
        query = (
            sa.select(record, source.c.name.label("source_name"))
            .select_from(joined)
            .where(record.c.id.in_([r.id for r in page]))
            .order_by(record.c.id)
        )
        found = list(connection.execute(query)) if page else []
        settled = _outcomes_of(connection, [r.id for r in found], mode, key)
        rows = [
            RecordRow(
                records_repo.row_to_record(r),
                r.source_name or "",
                settled.get((Stage.TITLE_ABSTRACT, r.id), Outcome.UNDECIDED),
                settled.get((Stage.FULL_TEXT, r.id), Outcome.UNDECIDED),
            )
            for r in found
        ]
    return RecordPage(rows, total, offset, limit)


def list_records(
    store: Store,
    *,
    text: str | None = None,
    source_name: str | None = None,
    include_duplicates: bool = False,
    limit: int = 100,
    viewer: str | None = None,
) -> list[RecordRow]:
    """The first ``limit`` records (standing ones unless asked) matching ``text`` and
    ``source_name``, as :func:`find_records` finds them (and shows them to ``viewer``)."""
    return find_records(
        store,
        text=text,
        source_name=source_name,
        duplicates="all" if include_duplicates else "standing",
        limit=limit,
        viewer=viewer,
    ).rows


def _conditions(
    text: str | None,
    source_name: str | None,
    duplicates: Duplicates,
    mode: ScreeningMode,
    title_abstract: Outcome | None,
    full_text: Outcome | None,
    viewer_id: int,
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [VISIBLE]  # not an import still being written
    if duplicates == "standing":
        where.append(record.c.duplicate_of.is_(None))
    elif duplicates == "merged":
        where.append(record.c.duplicate_of.is_not(None))
    if source_name:
        where.append(source.c.name == source_name)
    where.extend(_word(word) for word in (text or "").split())
    for stage, wanted in ((Stage.TITLE_ABSTRACT, title_abstract), (Stage.FULL_TEXT, full_text)):
        if wanted is not None:
            where.append(_standing_at(stage, wanted, mode, viewer_id))
    return where


def _word(word: str) -> sa.ColumnElement[bool]:
    """One word of a search: in the record's folded search text (``%`` and ``_`` are just
    characters), or the record's DOI or PMID when the word is one."""
    # Both sides are folded to lower case, so a plain LIKE serves both databases (it is
    # case-sensitive on PostgreSQL).
    found = record.c.search_text.contains(fold(word), autoescape=True)
    doi = normalise_doi(word)
    if doi:
        found = sa.or_(found, record.c.doi == doi)
    if word.isdigit():
        found = sa.or_(found, record.c.pmid == word)
    return found


def _standing_at(
    stage: Stage, wanted: Outcome, mode: ScreeningMode, viewer_id: int
) -> sa.ColumnElement[bool]:
    """Records whose outcome at ``stage`` is ``wanted``, as the viewer sees it."""
    decided = sa.exists().where(
        screening_decision.c.record_id == record.c.id, screening_decision.c.stage == stage
    )
    settled = screening_repo.settled_query(stage, mode).subquery("settled")

    def standing(outcome: Outcome) -> sa.ColumnElement[bool]:
        return record.c.id.in_(
            sa.select(settled.c.record_id).where(settled.c.outcome == outcome.value)
        )

    if mode is ScreeningMode.DUAL and wanted in (Outcome.UNDECIDED, Outcome.AWAITING_SECOND):
        # Dual screening is blind: a record awaiting a second vote is "awaiting" only to
        # the one who cast the first; to everyone else it is undecided, as if unvoted.
        mine = sa.exists().where(
            screening_decision.c.record_id == record.c.id,
            screening_decision.c.stage == stage,
            screening_decision.c.reviewer_id == viewer_id,
            screening_decision.c.resolves_conflict.is_(False),
        )
        awaiting = standing(Outcome.AWAITING_SECOND)
        if wanted is Outcome.AWAITING_SECOND:
            return sa.and_(awaiting, mine)
        return sa.or_(~decided, sa.and_(awaiting, ~mine))
    if wanted is Outcome.UNDECIDED:  # settle() gives "undecided" only to no decisions at all
        return ~decided
    return standing(wanted)


def _outcomes_of(
    connection: Connection, ids: list[int], mode: ScreeningMode, viewer: str
) -> dict[tuple[Stage, int], Outcome]:
    """Where the records ``ids`` (one page of them) stand at each stage, by ``settle``, as
    ``viewer`` may see it (blinded ones are undecided to them)."""
    if not ids:
        return {}
    d = screening_decision
    query = (
        sa.select(d.c.record_id, d.c.stage, d.c.decision, d.c.resolves_conflict, reviewer.c.key)
        .join(reviewer, reviewer.c.id == d.c.reviewer_id)
        .where(d.c.record_id.in_(ids))
        .order_by(d.c.id)
    )
    by_record: dict[tuple[Stage, int], list[ScreeningDecision]] = defaultdict(list)
    for r in connection.execute(query):
        stage = Stage(r.stage)
        by_record[stage, r.record_id].append(
            ScreeningDecision(
                r.record_id,
                stage,
                Decision(r.decision),
                r.key,
                resolves_conflict=r.resolves_conflict,
            )
        )
    return {
        key: Outcome.UNDECIDED if blinded(items, mode, viewer) else settle(items, mode)
        for key, items in by_record.items()
    }


def list_sources(store: Store) -> list[str]:
    """Names of the review's sources (searched or imported from), in the order added."""
    with store.reading() as connection:
        listed = sa.select(source.c.name).where(SOURCE_VISIBLE).order_by(source.c.id)
        return [r[0] for r in connection.execute(listed)]


def get_records(store: Store, ids: list[int]) -> dict[int, Record]:
    """Records by id (missing ids are left out)."""
    with store.reading() as connection:
        rows = connection.execute(sa.select(record).where(record.c.id.in_(ids), VISIBLE))
        return {r.id: records_repo.row_to_record(r) for r in rows}
