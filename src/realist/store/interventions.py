"""Repository for changing and removing interventions, their attributes and their links.

Creating interventions and reading them is in :mod:`realist.store.documents` (they came
with the documents); this module holds what a reviewer undoes: an attribute taken off one
intervention or off all, an attribute renamed, a document unlinked, an intervention deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection

from realist.errors import NotFound
from realist.store.schema_analysis import (
    configuration,
    configuration_intervention,
    document,
    excerpt_intervention,
    intervention,
    intervention_attribute,
    intervention_document,
)

__all__ = [
    "attribute_holders",
    "delete_intervention",
    "intervention_id",
    "intervention_links",
    "remove_attribute",
    "rename_attribute",
    "unlink_document",
]


def intervention_id(connection: Connection, number: int) -> int:
    """The id of intervention ``number``; NotFound names it."""
    found = connection.execute(
        sa.select(intervention.c.id).where(intervention.c.number == number)
    ).scalar()
    if found is None:
        raise NotFound(f"no intervention #{number} in this review")
    return int(found)


def attribute_holders(connection: Connection, name: str) -> list[int]:
    """The numbers of the interventions that have attribute ``name``."""
    rows = connection.execute(
        sa.select(intervention.c.number)
        .join(intervention_attribute, intervention_attribute.c.intervention_id == intervention.c.id)
        .where(intervention_attribute.c.name == name)
        .order_by(intervention.c.number)
    )
    return [r.number for r in rows]


def remove_attribute(connection: Connection, name: str, number: int | None = None) -> int:
    """Take attribute ``name`` off intervention ``number`` (or off every intervention);
    returns how many values went."""
    condition = intervention_attribute.c.name == name
    if number is not None:
        condition &= intervention_attribute.c.intervention_id == intervention_id(connection, number)
    return int(connection.execute(intervention_attribute.delete().where(condition)).rowcount)


def rename_attribute(connection: Connection, old: str, new: str) -> int:
    """Rename attribute ``old`` to ``new`` on every intervention; returns how many."""
    result = connection.execute(
        intervention_attribute.update().where(intervention_attribute.c.name == old).values(name=new)
    )
    return int(result.rowcount)


def intervention_links(connection: Connection, number: int) -> dict[str, list[str]]:
    """What points at intervention ``number``: its documents (keys), the configurations
    linked to it (identifiers) and the excerpts case-coded to it (ids, as text)."""
    found = intervention_id(connection, number)
    documents = connection.execute(
        sa.select(document.c.key)
        .join(intervention_document, intervention_document.c.document_id == document.c.id)
        .where(intervention_document.c.intervention_id == found)
        .order_by(intervention_document.c.position)
    ).scalars()
    configurations = connection.execute(
        sa.select(configuration.c.identifier)
        .join(
            configuration_intervention,
            configuration_intervention.c.configuration_id == configuration.c.id,
        )
        .where(configuration_intervention.c.intervention_id == found)
        .order_by(configuration.c.identifier)
    ).scalars()
    excerpts = connection.execute(
        sa.select(excerpt_intervention.c.excerpt_id)
        .where(excerpt_intervention.c.intervention_id == found)
        .order_by(excerpt_intervention.c.excerpt_id)
    ).scalars()
    return {
        "documents": list(documents),
        "configurations": list(configurations),
        "excerpts": [str(e) for e in excerpts],
    }


def unlink_document(connection: Connection, number: int, document_id: int) -> None:
    """Unlink one document from intervention ``number``; NotFound when it was not linked."""
    result = connection.execute(
        intervention_document.delete().where(
            intervention_document.c.intervention_id == intervention_id(connection, number),
            intervention_document.c.document_id == document_id,
        )
    )
    if not result.rowcount:
        raise NotFound(f"that document is not linked to intervention #{number}")


def delete_intervention(connection: Connection, number: int) -> None:
    """Delete intervention ``number`` and every row that links to it (attributes, document
    links, configuration links, case coding), in this transaction; configurations,
    documents and excerpts themselves stay."""
    found = intervention_id(connection, number)
    for table in (
        intervention_attribute,
        intervention_document,
        configuration_intervention,
        excerpt_intervention,
    ):
        # Explicit, not left to ON DELETE CASCADE: SQLite enforces it only with foreign
        # keys on, and the count of what went must not depend on a pragma.
        connection.execute(table.delete().where(table.c.intervention_id == found))
    connection.execute(intervention.delete().where(intervention.c.id == found))
