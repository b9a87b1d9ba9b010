"""Correcting documents: a new key, title, document type or study design, or deleting one.

Attaching and reading documents is :mod:`realist.services.documents`'. Excerpts, codings,
interventions and appraisals point at a document by id, so they follow a new key; events
name documents by key, so the rename's event links the old key to the new one. Deleting a
document takes its text versions, files, excerpts (with their codings and case coding),
its intervention links and MMAT appraisals with it; the record it was attached to stays
(it is screening data). A document with excerpts is only deleted with ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.documents import Document, DocumentType, StudyDesign, key_problem
from realist.errors import InvalidInput
from realist.reports.wording import counted
from realist.services.ownership import check_may_change
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo
from realist.store.events import append_event
from realist.store.schema_analysis import (
    coding,
    document,
    document_file,
    document_text,
    excerpt,
    intervention,
    intervention_document,
    mmat_appraisal,
)
from realist.store.search import unindex


def rename_document(store: Store, key: str, new_key: str, reviewer_key: str | None) -> Document:
    """Give a document a new key (unique; letters, digits, ``.``, ``_``, ``-``)."""
    new_key = new_key.strip()
    problem = key_problem(new_key)
    if problem:
        raise InvalidInput(problem)
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        document_id = documents_repo.document_id(connection, key)
        if new_key == key:
            raise InvalidInput(f"document '{key}' already has that key")
        taken = connection.execute(
            sa.select(document.c.id).where(document.c.key == new_key)
        ).first()
        if taken is not None:
            raise InvalidInput(f"another document already has the key '{new_key}'")
        connection.execute(
            document.update().where(document.c.id == document_id).values(key=new_key)
        )
        append_event(
            connection, "document.renamed", who, f"document:{new_key}", {"from": key, "to": new_key}
        )
        return documents_repo.get_document(connection, new_key)


def edit_document(
    store: Store,
    key: str,
    reviewer_key: str | None,
    *,
    title: str | None = None,
    document_type: DocumentType | None = None,
    study_design: StudyDesign | None = None,
    unknown_design: bool = False,
) -> Document:
    """Change a document's title, type or study design (``unknown_design``: not known)."""
    if unknown_design and study_design is not None:
        raise InvalidInput("give a study design or say it is unknown, not both")
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        current = documents_repo.get_document(connection, key)
        before = {
            "title": current.title,
            "document_type": current.document_type.value,
            "study_design": current.study_design.value if current.study_design else None,
        }
        values: dict[str, object] = {}
        if title is not None and title.strip() != current.title:
            if not title.strip():
                raise InvalidInput("a document needs a title")
            values["title"] = title.strip()
        if document_type is not None and document_type is not current.document_type:
            values["document_type"] = document_type
        if study_design is not None and study_design is not current.study_design:
            values["study_design"] = study_design
        if unknown_design and current.study_design is not None:
            values["study_design"] = None
        if not values:
            raise InvalidInput(f"nothing to change in document '{key}'")
        connection.execute(document.update().where(document.c.id == current.id).values(**values))
        after = {k: getattr(v, "value", v) for k, v in values.items()}
        append_event(
            connection,
            "document.edited",
            who,
            f"document:{key}",
            {"before": {k: before[k] for k in after}, "after": after},
        )
        return documents_repo.get_document(connection, key)


@dataclass
class DocumentRemoval:
    """What deleting a document took with it."""

    key: str
    versions: int
    files: int
    excerpts: int
    codings: int
    interventions: list[int] = field(default_factory=list)
    appraisals: int = 0


def _ids(connection: Connection, table: sa.Table, where: sa.ColumnElement[bool]) -> list[int]:
    return [int(r[0]) for r in connection.execute(sa.select(table.c.id).where(where))]


def delete_document(
    store: Store, key: str, reviewer_key: str | None, *, force: bool = False
) -> DocumentRemoval:
    """Delete a document and everything made on it (see the module's docstring). A
    document with excerpts is refused, saying how many excerpts and codings, unless
    ``force``; one holding other reviewers' excerpts, codings or MMAT appraisals is
    refused (NotPermitted) unless the actor is an owner."""
    with store.transaction() as connection:
        who, actor_id = reviews_repo.resolve_reviewer(connection, reviewer_key)
        item = documents_repo.get_document(connection, key)
        texts = _ids(connection, document_text, document_text.c.document_id == item.id)
        excerpts = _ids(connection, excerpt, excerpt.c.document_text_id.in_(texts))
        codings = len(_ids(connection, coding, coding.c.excerpt_id.in_(excerpts)))
        if excerpts and not force:
            raise InvalidInput(
                f"document '{key}' has {counted(len(excerpts), 'excerpt')} with "
                f"{counted(codings, 'coding')}; "
                "deleting it deletes them too (use --force, or delete them first)"
            )
        whose = check_may_change(
            connection,
            actor_id,
            _makers(connection, int(item.id or 0), excerpts),
            f"document '{key}'",
        )
        numbers = connection.execute(
            sa.select(intervention.c.number)
            .join(intervention_document)
            .where(intervention_document.c.document_id == item.id)
            .order_by(intervention.c.number)
        )
        removal = DocumentRemoval(
            key,
            versions=len(texts),
            files=len(_ids(connection, document_file, document_file.c.document_id == item.id)),
            excerpts=len(excerpts),
            codings=codings,
            interventions=[int(r[0]) for r in numbers],
            appraisals=len(
                _ids(connection, mmat_appraisal, mmat_appraisal.c.document_id == item.id)
            ),
        )
        # The search index is not a table with foreign keys (SQLite FTS5): cleared by hand.
        for text_id in texts:
            unindex(connection, "document", text_id)
        for excerpt_id in excerpts:
            unindex(connection, "excerpt", excerpt_id)
        # Everything else goes by ON DELETE CASCADE: texts, files, excerpts and their
        # codings and case coding, intervention links, appraisals.
        connection.execute(document.delete().where(document.c.id == item.id))
        append_event(
            connection,
            "document.deleted",
            who,
            f"document:{key}",
            {
                "title": item.title,
                "record": item.record_id,
                "versions": removal.versions,
                "files": removal.files,
                "excerpts": excerpts,
                "codings": codings,
                "interventions": removal.interventions,
                "appraisals": removal.appraisals,
            }
            | whose,
        )
        return removal


def _makers(connection: Connection, document_id: int, excerpts: list[int]) -> set[int]:
    """Who made the work a document's deletion takes with it: excerpts, their codings,
    MMAT appraisals."""
    found: set[int] = set()
    for query in (
        sa.select(excerpt.c.reviewer_id).where(excerpt.c.id.in_(excerpts)),
        sa.select(coding.c.reviewer_id).where(coding.c.excerpt_id.in_(excerpts)),
        sa.select(mmat_appraisal.c.reviewer_id).where(mmat_appraisal.c.document_id == document_id),
    ):
        found.update(int(i) for i in connection.execute(query.distinct()).scalars())
    return found
