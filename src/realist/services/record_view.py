"""One record shown whole: what was imported, where it came from, what became of it.

Every normalised field and every raw field in file order; the source, batch and file
line; the duplicate groups it belongs to and the records merged into it; each stage's
settled outcome and decisions (blinded as dual screening requires); the document attached
to it. One read, so the page and ``realist record N`` can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.documents import Document
from realist.domain.records import DuplicateStatus, Record
from realist.domain.review import Source
from realist.domain.screening import (
    Outcome,
    ScreeningDecision,
    ScreeningMode,
    Stage,
    blinded,
    settle,
)
from realist.services.citations import citations_of
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.schema import (
    duplicate_group,
    duplicate_member,
    import_batch,
    record,
    reviewer,
    source,
)
from realist.store.schema_analysis import document

__all__ = ["BatchInfo", "DuplicateInfo", "RecordView", "StageView", "record_view"]


@dataclass(frozen=True)
class BatchInfo:
    """The import the record came in: one file."""

    id: int
    filename: str
    format: str
    searched: str | None
    imported_at: str
    imported_by: str | None


@dataclass(frozen=True)
class Linked:
    """Another record, named by its id and title."""

    id: int
    title: str


@dataclass(frozen=True)
class DuplicateInfo:
    """A duplicate group the record belongs to."""

    id: int
    status: DuplicateStatus
    confidence: float
    reason: str
    keeper: int
    members: tuple[Linked, ...]
    decided_by: str | None  # who merged, confirmed or separated it (None: the algorithm)


@dataclass(frozen=True)
class StageView:
    """Where the record stands at one stage, as the viewer may see it.

    In dual screening, until the viewer has decided the record at this stage or two
    reviewers have, ``blinded`` is true and the viewer sees no decision and the outcome
    "undecided", whether or not anyone has voted (:func:`realist.domain.screening.blinded`):
    neither a vote nor the fact of one shows.
    """

    stage: Stage
    outcome: Outcome
    decisions: tuple[ScreeningDecision, ...]
    blinded: bool = False


@dataclass
class RecordView:
    """A record and everything the review knows about it."""

    record: Record
    viewer: str
    source: Source | None = None
    batch: BatchInfo | None = None
    keeper: Linked | None = None  # the record it was merged into, if it was
    merged: list[Linked] = field(default_factory=list)  # records merged into it
    groups: list[DuplicateInfo] = field(default_factory=list)
    stages: list[StageView] = field(default_factory=list)
    document: Document | None = None
    citation: str = ""  # the document's author-year citation, if one is attached

    def as_json(self) -> dict[str, Any]:
        """The stable ``record N --json`` shape (docs/CLI.md)."""
        r = self.record
        return {
            "id": r.id,
            "title": r.title,
            "authors": r.authors,
            "year": r.year,
            "journal": r.journal,
            "volume": r.volume,
            "issue": r.issue,
            "pages": r.pages,
            "doi": r.doi,
            "pmid": r.pmid,
            "issn": r.issn,
            "abstract": r.abstract,
            "keywords": r.keywords,
            "kind": r.kind,
            "raw": [[tag, value] for tag, value in r.raw],
            "source": _source_json(self.source),
            "batch": _batch_json(self.batch, r.source_line),
            "duplicate_of": _linked(self.keeper),
            "merged": [_linked(m) for m in self.merged],
            "duplicate_groups": [_group_json(g) for g in self.groups],
            "stages": {s.stage.value: _stage_json(s) for s in self.stages},
            "document": _document_json(self.document, self.citation),
            "viewer": self.viewer,
        }


def _linked(item: Linked | None) -> dict[str, Any] | None:
    return {"id": item.id, "title": item.title} if item else None


def _source_json(s: Source | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"name": s.name, "kind": s.kind.value, "searched": s.searched,
            "search_string": s.search_string, "limits": s.limits}  # fmt: skip


def _batch_json(b: BatchInfo | None, line: int | None) -> dict[str, Any] | None:
    if b is None:
        return None
    return {
        "id": b.id,
        "file": b.filename,
        "format": b.format,
        "line": line,
        "searched": b.searched,
        "imported_at": b.imported_at,
        "imported_by": b.imported_by,
    }


def _group_json(g: DuplicateInfo) -> dict[str, Any]:
    return {"id": g.id, "status": g.status.value, "confidence": g.confidence, "reason": g.reason,
            "keeper": g.keeper, "members": [_linked(m) for m in g.members],
            "decided_by": g.decided_by}  # fmt: skip


def _stage_json(s: StageView) -> dict[str, Any]:
    return {
        "outcome": s.outcome.value,
        "blinded": s.blinded,
        "decisions": [
            {"reviewer": d.reviewer_key, "decision": d.decision.value,
             "reason": d.criterion_code, "note": d.note,
             "resolves_conflict": d.resolves_conflict, "at": d.created_at}
            for d in s.decisions
        ],
    }  # fmt: skip


def _document_json(d: Document | None, citation: str) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"key": d.key, "title": d.title, "citation": citation,
            "reference": d.reference_number, "included": d.included}  # fmt: skip


def record_view(store: Store, record_id: int, reviewer: str | None) -> RecordView:
    """Record ``record_id`` whole, as ``reviewer`` (default: the owner) may see it.

    Raises NotFound for an unknown id.
    """
    with store.reading() as connection:
        viewer, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        item = records_repo.get_record(connection, record_id)
        view = RecordView(item, viewer)
        _place(connection, view)
        _duplicates(connection, view)
        mode = reviews_repo.get_review(connection).screening_mode
        view.stages = [_stage(connection, record_id, stage, mode, viewer) for stage in Stage]
        row = connection.execute(
            sa.select(document.c.key).where(document.c.record_id == record_id).limit(1)
        ).first()
        if row is not None:
            view.document = documents_repo.get_document(connection, row.key)
            view.document.text = ""  # the record page names the document; its text is long
            documents = documents_repo.list_documents(connection)
            view.citation = citations_of(connection, documents).get(row.key, "")
    return view


def _place(connection: Connection, view: RecordView) -> None:
    """The source and batch the record came from (none for records entered by hand)."""
    if view.record.batch_id is None:
        return
    row = connection.execute(
        sa.select(import_batch, source.c.name.label("source_name"), reviewer.c.key.label("who"))
        .join(source, source.c.id == import_batch.c.source_id)
        .outerjoin(reviewer, reviewer.c.id == import_batch.c.reviewer_id)
        .where(import_batch.c.id == view.record.batch_id)
    ).first()
    if row is None:
        return
    view.batch = BatchInfo(row.id, row.filename, row.format, row.searched, row.created_at, row.who)
    view.source = reviews_repo.find_source(connection, row.source_name)


def _titles(connection: Connection, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = connection.execute(sa.select(record.c.id, record.c.title).where(record.c.id.in_(ids)))
    return {r.id: r.title for r in rows}


def _duplicates(connection: Connection, view: RecordView) -> None:
    rid = view.record.id
    assert rid is not None
    merged = [
        r.id
        for r in connection.execute(
            sa.select(record.c.id).where(record.c.duplicate_of == rid).order_by(record.c.id)
        )
    ]
    groups = connection.execute(
        sa.select(duplicate_group, reviewer.c.key.label("who"))
        .outerjoin(reviewer, reviewer.c.id == duplicate_group.c.decided_by)
        .where(
            duplicate_group.c.id.in_(
                sa.select(duplicate_member.c.group_id).where(duplicate_member.c.record_id == rid)
            )
        )
        .order_by(duplicate_group.c.id)
    ).all()
    members = {
        g.id: [
            m.record_id
            for m in connection.execute(
                sa.select(duplicate_member.c.record_id)
                .where(duplicate_member.c.group_id == g.id)
                .order_by(duplicate_member.c.record_id)
            )
        ]
        for g in groups
    }
    keeper = view.record.duplicate_of
    named = merged + [m for ms in members.values() for m in ms] + ([keeper] if keeper else [])
    titles = _titles(connection, named)
    view.merged = [Linked(m, titles.get(m, "")) for m in merged]
    view.keeper = Linked(keeper, titles.get(keeper, "")) if keeper else None
    view.groups = [
        DuplicateInfo(
            g.id,
            DuplicateStatus(g.status),
            g.confidence,
            g.reason,
            g.keeper_id,
            tuple(Linked(m, titles.get(m, "")) for m in members[g.id]),
            g.who,
        )
        for g in groups
    ]


def _stage(
    connection: Connection, record_id: int, stage: Stage, mode: ScreeningMode, viewer: str
) -> StageView:
    items = screening_repo.list_decisions(connection, stage, record_id)
    if blinded(items, mode, viewer):
        # Independent screening: the viewer decides before seeing anyone else's decision.
        return StageView(stage, Outcome.UNDECIDED, (), blinded=True)
    return StageView(stage, settle(items, mode), tuple(items))
