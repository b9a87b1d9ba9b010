"""Queries that gather the evidence behind configurations (for testing, model, matrix)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.appraisal import Grade
from realist.domain.coding import Stance
from realist.domain.testing import EvidenceItem
from realist.store.schema_analysis import (
    coding,
    configuration,
    document,
    document_text,
    excerpt,
    excerpt_intervention,
    intervention,
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
