"""Queries that gather the evidence behind configurations (for testing, model, matrix)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.appraisal import Grade
from realist.domain.coding import Stance
from realist.domain.testing import EvidenceItem
from realist.store.schema import reviewer
from realist.store.schema_analysis import (
    coding,
    configuration,
    document,
    document_text,
    excerpt,
    excerpt_intervention,
    intervention,
    intervention_attribute,
    intervention_document,
)


def excerpt_cases(connection: Connection) -> dict[int, tuple[int, ...]]:
    """Excerpt id -> the interventions it is evidence about.

    An excerpt's own case coding wins; otherwise it speaks for its document's interventions.
    """
    own: dict[int, list[int]] = defaultdict(list)
    for excerpt_id, number in connection.execute(
        sa.select(excerpt_intervention.c.excerpt_id, intervention.c.number)
        .join(intervention, intervention.c.id == excerpt_intervention.c.intervention_id)
        .order_by(intervention.c.number)
    ):
        own[excerpt_id].append(number)
    by_document: dict[int, list[int]] = defaultdict(list)
    for document_id, number in connection.execute(
        sa.select(intervention_document.c.document_id, intervention.c.number)
        .join(intervention, intervention.c.id == intervention_document.c.intervention_id)
        .order_by(intervention.c.number)
    ):
        by_document[document_id].append(number)
    cases: dict[int, tuple[int, ...]] = {}
    for excerpt_id, document_id in connection.execute(
        sa.select(excerpt.c.id, document_text.c.document_id).join(
            document_text, document_text.c.id == excerpt.c.document_text_id
        )
    ):
        cases[excerpt_id] = tuple(own.get(excerpt_id) or by_document.get(document_id, []))
    return cases


def evidence_items(
    connection: Connection, identifier: str | None = None, *, with_text: bool = True
) -> dict[str, list[EvidenceItem]]:
    """Configuration identifier -> one item per (excerpt, stance) coded to it."""
    columns = [
        configuration.c.identifier,
        coding.c.stance,
        excerpt.c.id,
        excerpt.c.label,
        excerpt.c.relevance,
        excerpt.c.rigour,
        document.c.key,
        document.c.study_design,
    ]
    if with_text:
        columns.append(excerpt.c.text)
    query = (
        sa.select(*columns)
        .select_from(coding)
        .join(configuration, configuration.c.id == coding.c.configuration_id)
        .join(excerpt, excerpt.c.id == coding.c.excerpt_id)
        .join(document_text, document_text.c.id == excerpt.c.document_text_id)
        .join(document, document.c.id == document_text.c.document_id)
        .distinct()
        .order_by(configuration.c.identifier, excerpt.c.id)
    )
    if identifier is not None:
        query = query.where(configuration.c.identifier == identifier)
    cases = excerpt_cases(connection)
    found: dict[str, list[EvidenceItem]] = defaultdict(list)
    for row in connection.execute(query):
        found[row.identifier].append(
            EvidenceItem(
                excerpt_id=row.id,
                stance=Stance(row.stance),
                relevance=Grade(row.relevance) if row.relevance else None,
                rigour=Grade(row.rigour) if row.rigour else None,
                document_key=row.key,
                study_design=row.study_design,
                interventions=cases.get(row.id, ()),
                label=row.label,
                text=row.text if with_text else "",
            )
        )
    return dict(found)


def coders_of(
    connection: Connection, identifier: str, excerpt_ids: list[int]
) -> list[tuple[int, str, str, str]]:
    """(excerpt id, excerpt label, stance, coder key) of every coding of these excerpts to
    one configuration (any part): who took which stance, for reconciling them."""
    if not excerpt_ids:
        return []
    rows = connection.execute(
        sa.select(excerpt.c.id, excerpt.c.label, coding.c.stance, reviewer.c.key)
        .select_from(coding)
        .join(configuration, configuration.c.id == coding.c.configuration_id)
        .join(excerpt, excerpt.c.id == coding.c.excerpt_id)
        .join(reviewer, reviewer.c.id == coding.c.reviewer_id)
        .where(configuration.c.identifier == identifier, excerpt.c.id.in_(excerpt_ids))
        .distinct()
        .order_by(excerpt.c.id, coding.c.stance, reviewer.c.key)
    )
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def _cases() -> sa.Subquery:
    """(excerpt_id, intervention_id) for every excerpt: its own case coding when it has
    one, else its document's interventions (the rule of :func:`excerpt_cases`, in SQL)."""
    own = sa.select(excerpt_intervention.c.excerpt_id, excerpt_intervention.c.intervention_id)
    by_document = (
        sa.select(excerpt.c.id.label("excerpt_id"), intervention_document.c.intervention_id)
        .join(document_text, document_text.c.id == excerpt.c.document_text_id)
        .join(
            intervention_document,
            intervention_document.c.document_id == document_text.c.document_id,
        )
        .where(excerpt.c.id.not_in(sa.select(excerpt_intervention.c.excerpt_id)))
    )
    return sa.union_all(own, by_document).subquery("cases")


def _matrix_query(kind: str, name: str) -> sa.Select[Any]:
    """(configuration identifier, excerpt id, value) rows for a matrix dimension:
    ``attribute`` (an intervention attribute), ``intervention`` (its number) or
    ``document`` (a document column)."""
    base = sa.select(configuration.c.identifier, coding.c.excerpt_id).join(
        configuration, configuration.c.id == coding.c.configuration_id
    )
    if kind == "document":
        column = document.c[name]
        query = (
            base.add_columns(sa.func.coalesce(sa.cast(column, sa.String), "unknown").label("value"))
            .join(excerpt, excerpt.c.id == coding.c.excerpt_id)
            .join(document_text, document_text.c.id == excerpt.c.document_text_id)
            .join(document, document.c.id == document_text.c.document_id)
        )
    else:
        cases = _cases()
        query = base.join(cases, cases.c.excerpt_id == coding.c.excerpt_id)
        if kind == "intervention":
            query = query.add_columns(intervention.c.number.label("value")).join(
                intervention, intervention.c.id == cases.c.intervention_id
            )
        else:
            query = query.add_columns(intervention_attribute.c.value.label("value")).join(
                intervention_attribute,
                sa.and_(
                    intervention_attribute.c.intervention_id == cases.c.intervention_id,
                    intervention_attribute.c.name == name,
                ),
            )
    return query


def matrix_counts(connection: Connection, kind: str, name: str) -> list[tuple[str, str, int]]:
    """(configuration identifier, value, distinct excerpts): the matrix, counted by the
    database in one grouped query."""
    inner = _matrix_query(kind, name).subquery()
    counted = sa.select(
        inner.c.identifier, inner.c.value, sa.func.count(sa.distinct(inner.c.excerpt_id))
    ).group_by(inner.c.identifier, inner.c.value)
    return [(r[0], str(r[1]), int(r[2])) for r in connection.execute(counted)]


def matrix_cell(
    connection: Connection, kind: str, name: str, identifier: str, wanted: str
) -> list[int]:
    """The excerpts in one cell of the matrix (drill-down), in id order."""
    query = _matrix_query(kind, name)
    inner = query.where(configuration.c.identifier == identifier).subquery()
    rows = connection.execute(
        sa.select(inner.c.excerpt_id, inner.c.value).distinct().order_by(inner.c.excerpt_id)
    )
    return [int(r.excerpt_id) for r in rows if str(r.value) == wanted]
