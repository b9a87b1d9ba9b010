"""Repository for topics, CMO configurations, components, middle-range theories, history."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.theory import (
    CMOConfiguration,
    Component,
    ConfigurationVersion,
    MechanismKind,
    MiddleRangeTheory,
    Origin,
    Role,
    Topic,
    Verdict,
)
from realist.errors import NotFound
from realist.store.events import now
from realist.store.schema import inserted_id, reviewer
from realist.store.schema_analysis import (
    component,
    configuration,
    configuration_intervention,
    configuration_theory,
    configuration_version,
    intervention,
    middle_range_theory,
    topic,
)


def insert_topic(connection: Connection, item: Topic) -> int:
    result = connection.execute(
        topic.insert().values(
            key=item.key, name=item.name, position=item.position, negative=item.negative
        )
    )
    return inserted_id(result)


def list_topics(connection: Connection) -> list[Topic]:
    rows = connection.execute(sa.select(topic).order_by(topic.c.position))
    return [
        Topic(key=r.key, name=r.name, position=r.position, negative=r.negative, id=r.id)
        for r in rows
    ]


def insert_middle_range_theory(connection: Connection, item: MiddleRangeTheory) -> int:
    result = connection.execute(
        middle_range_theory.insert().values(
            key=item.key, name=item.name, description=item.description, refs=item.references
        )
    )
    return inserted_id(result)


def update_middle_range_theory(connection: Connection, item: MiddleRangeTheory) -> None:
    assert item.id is not None
    connection.execute(
        middle_range_theory.update()
        .where(middle_range_theory.c.id == item.id)
        .values(key=item.key, name=item.name, description=item.description, refs=item.references)
    )


def delete_middle_range_theory(connection: Connection, theory_id: int) -> None:
    connection.execute(middle_range_theory.delete().where(middle_range_theory.c.id == theory_id))


def theory_links(connection: Connection) -> dict[int, list[str]]:
    """The configurations each middle-range theory explains, by theory id (identifiers in
    the configurations' order)."""
    rows = connection.execute(
        sa.select(configuration_theory.c.middle_range_theory_id, configuration.c.identifier)
        .join(configuration, configuration.c.id == configuration_theory.c.configuration_id)
        .order_by(configuration.c.position, configuration.c.id)
    )
    found: dict[int, list[str]] = {}
    for theory_id, identifier in rows:
        found.setdefault(theory_id, []).append(identifier)
    return found


def link_theory(connection: Connection, theory_id: int, config_id: int, linked: bool) -> bool:
    """Link (or unlink) a middle-range theory and a configuration; whether anything changed."""
    exists = connection.execute(
        sa.select(configuration_theory.c.configuration_id).where(
            configuration_theory.c.configuration_id == config_id,
            configuration_theory.c.middle_range_theory_id == theory_id,
        )
    ).first()
    if linked and exists is None:
        connection.execute(
            configuration_theory.insert().values(
                configuration_id=config_id, middle_range_theory_id=theory_id
            )
        )
        return True
    if not linked and exists is not None:
        connection.execute(
            configuration_theory.delete().where(
                configuration_theory.c.configuration_id == config_id,
                configuration_theory.c.middle_range_theory_id == theory_id,
            )
        )
        return True
    return False


def list_middle_range_theories(connection: Connection) -> list[MiddleRangeTheory]:
    rows = connection.execute(sa.select(middle_range_theory).order_by(middle_range_theory.c.id))
    return [
        MiddleRangeTheory(
            key=r.key,
            name=r.name,
            description=r.description,
            references=[str(ref) for ref in r.refs],
            id=r.id,
        )
        for r in rows
    ]


def _id_of(connection: Connection, table: sa.Table, column: str, value: object, what: str) -> int:
    found = connection.execute(sa.select(table.c.id).where(table.c[column] == value)).scalar()
    if found is None:
        raise NotFound(f"no {what} '{value}' in this review")
    return int(found)


def configuration_id(connection: Connection, identifier: str) -> int:
    return _id_of(connection, configuration, "identifier", identifier, "configuration")


def insert_configuration(connection: Connection, item: CMOConfiguration) -> int:
    """Store a configuration with its components and links."""
    topic_id = _id_of(connection, topic, "key", item.topic_key, "topic")
    result = connection.execute(
        configuration.insert().values(
            identifier=item.identifier,
            topic_id=topic_id,
            title=item.title,
            statement=item.statement,
            origin=item.origin,
            partial=item.partial,
            verdict=item.verdict,
            rationale=item.rationale,
            source_note=item.source_note,
            position=item.position,
            version=1,
        )
    )
    config_id = inserted_id(result)
    replace_parts(connection, config_id, item)
    return config_id


def replace_parts(connection: Connection, config_id: int, item: CMOConfiguration) -> None:
    """(Re)write a configuration's components and links to theories and interventions.

    Components are updated in place by (role, position) so that codings pointing at them
    survive an edit of their wording.
    """
    existing = {
        (r.role, r.position): r.id
        for r in connection.execute(
            sa.select(component).where(component.c.configuration_id == config_id)
        )
    }
    kept = set()
    for part in item.components:
        values = {"kind": part.kind, "text": part.text}
        key = (part.role.value, part.position)
        if key in existing:
            connection.execute(
                component.update().where(component.c.id == existing[key]).values(**values)
            )
            kept.add(key)
        else:
            connection.execute(
                component.insert().values(
                    configuration_id=config_id, role=part.role, position=part.position, **values
                )
            )
    gone = [cid for key, cid in existing.items() if key not in kept]
    if gone:
        connection.execute(component.delete().where(component.c.id.in_(gone)))
    connection.execute(
        configuration_theory.delete().where(configuration_theory.c.configuration_id == config_id)
    )
    for theory_key in item.middle_range_theory_keys:
        theory_id = _id_of(
            connection, middle_range_theory, "key", theory_key, "middle-range theory"
        )
        connection.execute(
            configuration_theory.insert().values(
                configuration_id=config_id, middle_range_theory_id=theory_id
            )
        )
    connection.execute(
        configuration_intervention.delete().where(
            configuration_intervention.c.configuration_id == config_id
        )
    )
    for number in item.intervention_numbers:
        intervention_id = _id_of(connection, intervention, "number", number, "intervention")
        connection.execute(
            configuration_intervention.insert().values(
                configuration_id=config_id, intervention_id=intervention_id
            )
        )


def list_configurations(
    connection: Connection, topic_key: str | None = None
) -> list[CMOConfiguration]:
    """Configurations with components and links, in topic then position order (4 queries)."""
    query = (
        sa.select(configuration, topic.c.key.label("topic_key"))
        .join(topic, topic.c.id == configuration.c.topic_id)
        .order_by(topic.c.position, configuration.c.position)
    )
    if topic_key is not None:
        query = query.where(topic.c.key == topic_key)
    items: dict[int, CMOConfiguration] = {}
    for r in connection.execute(query):
        items[r.id] = CMOConfiguration(
            identifier=r.identifier,
            topic_key=r.topic_key,
            title=r.title,
            statement=r.statement,
            origin=Origin(r.origin),
            partial=r.partial,
            verdict=Verdict(r.verdict) if r.verdict else None,
            rationale=r.rationale,
            source_note=r.source_note,
            position=r.position,
            id=r.id,
        )
    if not items:
        return []
    ids = list(items)
    for r in connection.execute(
        sa.select(component)
        .where(component.c.configuration_id.in_(ids))
        .order_by(component.c.role, component.c.position)
    ):
        items[r.configuration_id].components.append(
            Component(
                role=Role(r.role),
                text=r.text,
                kind=MechanismKind(r.kind) if r.kind else None,
                position=r.position,
                id=r.id,
            )
        )
    for r in connection.execute(
        sa.select(configuration_theory.c.configuration_id, middle_range_theory.c.key)
        .join(middle_range_theory)
        .where(configuration_theory.c.configuration_id.in_(ids))
        .order_by(middle_range_theory.c.id)
    ):
        items[r.configuration_id].middle_range_theory_keys.append(r.key)
    for r in connection.execute(
        sa.select(configuration_intervention.c.configuration_id, intervention.c.number)
        .join(intervention)
        .where(configuration_intervention.c.configuration_id.in_(ids))
        .order_by(intervention.c.number)
    ):
        items[r.configuration_id].intervention_numbers.append(r.number)
    return list(items.values())


def get_configuration(connection: Connection, identifier: str) -> CMOConfiguration:
    for item in list_configurations(connection):
        if item.identifier == identifier:
            return item
    raise NotFound(f"no configuration '{identifier}' in this review")


def update_configuration(
    connection: Connection, config_id: int, item: CMOConfiguration, version: int
) -> None:
    connection.execute(
        configuration.update()
        .where(configuration.c.id == config_id)
        .values(
            title=item.title,
            statement=item.statement,
            origin=item.origin,
            partial=item.partial,
            verdict=item.verdict,
            rationale=item.rationale,
            version=version,
        )
    )
    replace_parts(connection, config_id, item)


def current_version(connection: Connection, config_id: int) -> int:
    found = connection.execute(
        sa.select(configuration.c.version).where(configuration.c.id == config_id)
    ).scalar()
    return int(found or 1)


def insert_version(
    connection: Connection,
    config_id: int,
    version: int,
    snapshot: dict[str, Any],
    reviewer_id: int,
    why: str,
) -> None:
    connection.execute(
        configuration_version.insert().values(
            configuration_id=config_id,
            version=version,
            snapshot=snapshot,
            reviewer_id=reviewer_id,
            why=why,
            created_at=now(),
        )
    )


def history(connection: Connection) -> dict[str, list[ConfigurationVersion]]:
    """Every configuration's earlier versions, oldest first, by identifier."""
    found: dict[str, list[ConfigurationVersion]] = defaultdict(list)
    rows = connection.execute(
        sa.select(configuration_version, configuration.c.identifier, reviewer.c.key)
        .join(configuration, configuration.c.id == configuration_version.c.configuration_id)
        .join(reviewer, reviewer.c.id == configuration_version.c.reviewer_id)
        .order_by(configuration_version.c.configuration_id, configuration_version.c.version)
    )
    for r in rows:
        found[r.identifier].append(
            ConfigurationVersion(
                identifier=r.identifier,
                version=r.version,
                snapshot=dict(r.snapshot),
                reviewer_key=r.key,
                why=r.why,
                created_at=r.created_at,
            )
        )
    return dict(found)
