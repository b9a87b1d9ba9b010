"""Repository for excerpts and their codings, and the evidence counts derived from them."""

from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.appraisal import Grade
from realist.domain.coding import Coding, Excerpt, Stance
from realist.domain.theory import Role
from realist.errors import InvalidInput, NotFound
from realist.store.events import now
from realist.store.schema import inserted_id, reviewer
from realist.store.schema_analysis import (
    coding,
    component,
    configuration,
    document,
    document_text,
    excerpt,
    excerpt_intervention,
    intervention,
)
from realist.store.search import index_text


def insert_excerpt(
    connection: Connection, item: Excerpt, text_id: int, text_length: int, reviewer_id: int
) -> int:
    """Store an excerpt; the database itself refuses a span outside its text."""
    result = connection.execute(
        excerpt.insert().values(
            label=item.label,
            document_text_id=text_id,
            text_length=text_length,
            start_offset=item.start,
            end_offset=item.end,
            text=item.text,
            reviewer_id=reviewer_id,
            relevance=item.relevance,
            rigour=item.rigour,
            note=item.note,
            created_at=now(),
        )
    )
    excerpt_id = inserted_id(result)
    index_text(connection, "excerpt", excerpt_id, item.text)
    return excerpt_id


def insert_coding(
    connection: Connection,
    excerpt_id: int,
    configuration_id: int,
    item: Coding,
    reviewer_id: int,
) -> int:
    result = connection.execute(
        coding.insert().values(
            excerpt_id=excerpt_id,
            configuration_id=configuration_id,
            role=item.role,
            component_id=_target_part(connection, configuration_id, item),
            stance=item.stance,
            reviewer_id=reviewer_id,
            created_at=now(),
        )
    )
    return inserted_id(result)


def same_coding(
    connection: Connection,
    excerpt_id: int,
    configuration_id: int,
    item: Coding,
    reviewer_id: int,
) -> int | None:
    """The id of a stored coding identical to ``item`` (same excerpt, target, stance and
    reviewer), if there is one: a second copy would count the same evidence twice."""
    part = _target_part(connection, configuration_id, item)
    found = connection.execute(
        sa.select(coding.c.id)
        .where(
            coding.c.excerpt_id == excerpt_id,
            coding.c.configuration_id == configuration_id,
            coding.c.role == item.role,
            coding.c.component_id.is_(None) if part is None else coding.c.component_id == part,
            coding.c.stance == item.stance,
            coding.c.reviewer_id == reviewer_id,
        )
        .order_by(coding.c.id)
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def _target_part(connection: Connection, configuration_id: int, item: Coding) -> int | None:
    """The component a coding points at (None for the configuration as a whole); a part
    the configuration does not have is refused."""
    if item.role is Role.CONFIGURATION:
        return None
    component_id = connection.execute(
        sa.select(component.c.id).where(
            component.c.configuration_id == configuration_id,
            component.c.role == item.role,
            component.c.position == (item.component_position or 0),
        )
    ).scalar()
    if component_id is None:
        raise InvalidInput(
            f"configuration {item.configuration_identifier} has no {item.role.value} "
            f"number {(item.component_position or 0) + 1}"
        )
    return int(component_id)


def target_part(connection: Connection, configuration_id: int, item: Coding) -> int | None:
    """The component id a coding like ``item`` points at (None: the whole configuration);
    InvalidInput when the configuration has no such part."""
    return _target_part(connection, configuration_id, item)


def evidence_counts(connection: Connection) -> dict[str, Counter[str]]:
    """Per configuration identifier: distinct excerpts by stance, plus 'excerpts' overall."""
    query = (
        sa.select(
            configuration.c.identifier,
            coding.c.stance,
            sa.func.count(sa.distinct(coding.c.excerpt_id)),
        )
        .join(configuration, configuration.c.id == coding.c.configuration_id)
        .group_by(configuration.c.identifier, coding.c.stance)
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for identifier, stance, n in connection.execute(query):
        counts[identifier][stance] += n
    totals = (
        sa.select(configuration.c.identifier, sa.func.count(sa.distinct(coding.c.excerpt_id)))
        .join(configuration, configuration.c.id == coding.c.configuration_id)
        .group_by(configuration.c.identifier)
    )
    for identifier, n in connection.execute(totals):
        counts[identifier]["excerpts"] = n
    return dict(counts)


def opposed_codings(connection: Connection) -> list[tuple[str, int, str]]:
    """(configuration identifier, excerpt id, excerpt label) for every excerpt coded to a
    configuration both as refuting it and as supporting or refining it."""
    refutes = coding.c.stance == "refutes"
    rows = connection.execute(
        sa.select(configuration.c.identifier, excerpt.c.id, excerpt.c.label)
        .select_from(coding)
        .join(configuration, configuration.c.id == coding.c.configuration_id)
        .join(excerpt, excerpt.c.id == coding.c.excerpt_id)
        .group_by(configuration.c.identifier, excerpt.c.id, excerpt.c.label)
        .having(
            sa.func.max(sa.case((refutes, 1), else_=0)) == 1,
            sa.func.min(sa.case((refutes, 1), else_=0)) == 0,
        )
        .order_by(configuration.c.identifier, excerpt.c.id)
    )
    return [(str(r[0]), int(r[1]), str(r[2])) for r in rows]


def list_excerpts(connection: Connection, document_key: str | None = None) -> list[Excerpt]:
    """Excerpts with their codings, in document and offset order (two queries)."""
    query = (
        sa.select(excerpt, document.c.key.label("document_key"), reviewer.c.key.label("who"))
        .join(document_text, document_text.c.id == excerpt.c.document_text_id)
        .join(document, document.c.id == document_text.c.document_id)
        .join(reviewer, reviewer.c.id == excerpt.c.reviewer_id)
        .order_by(document.c.key, excerpt.c.start_offset, excerpt.c.id)
    )
    if document_key is not None:
        query = query.where(document.c.key == document_key)
    items = {
        r.id: Excerpt(
            document_key=r.document_key,
            start=r.start_offset,
            end=r.end_offset,
            text=r.text,
            reviewer_key=r.who,
            relevance=Grade(r.relevance) if r.relevance else None,
            rigour=Grade(r.rigour) if r.rigour else None,
            note=r.note,
            label=r.label,
            id=r.id,
        )
        for r in connection.execute(query)
    }
    if not items:
        return []
    rows = connection.execute(
        sa.select(
            coding,
            configuration.c.identifier,
            component.c.position.label("component_position"),
            reviewer.c.key.label("who"),
        )
        .join(configuration, configuration.c.id == coding.c.configuration_id)
        .outerjoin(component, component.c.id == coding.c.component_id)
        .join(reviewer, reviewer.c.id == coding.c.reviewer_id)
        .order_by(coding.c.id)
    )
    for r in rows:
        if r.excerpt_id in items:
            items[r.excerpt_id].codings.append(
                Coding(
                    configuration_identifier=r.identifier,
                    role=Role(r.role),
                    component_position=r.component_position,
                    stance=Stance(r.stance),
                    reviewer_key=r.who,
                    id=r.id,
                )
            )
    return list(items.values())


def texts_for_excerpts(connection: Connection) -> dict[int, str]:
    """Excerpt id -> the text of the document version it points into (for checking spans)."""
    rows = connection.execute(
        sa.select(excerpt.c.id, document_text.c.text).join(
            document_text, document_text.c.id == excerpt.c.document_text_id
        )
    )
    return {r.id: r.text for r in rows}


def link_cases(connection: Connection, excerpt_id: int, numbers: list[int], basis: str) -> None:
    """Case coding: the interventions an excerpt is evidence about."""
    for number in numbers:
        found = connection.execute(
            sa.select(intervention.c.id).where(intervention.c.number == number)
        ).scalar()
        if found is None:
            raise NotFound(f"no intervention #{number}")
        connection.execute(
            excerpt_intervention.insert().values(
                excerpt_id=excerpt_id, intervention_id=found, basis=basis
            )
        )
