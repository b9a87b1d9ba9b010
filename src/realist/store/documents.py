"""Repository for documents, their immutable text versions, and interventions."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.documents import (
    AttributeType,
    AttributeValue,
    Document,
    DocumentType,
    Intervention,
    StudyDesign,
    attribute_type_of,
    document_status,
    text_hash,
)
from realist.domain.screening import Outcome, ScreeningMode, Stage
from realist.errors import NotFound
from realist.store.events import now
from realist.store.schema import inserted_id, review
from realist.store.schema_analysis import (
    document,
    document_text,
    intervention,
    intervention_attribute,
    intervention_document,
)
from realist.store.screening import settled_query


def insert_document(connection: Connection, item: Document) -> int:
    """Store a document and, if it has text, its first text version."""
    result = connection.execute(
        document.insert().values(
            key=item.key,
            title=item.title,
            document_type=item.document_type,
            study_design=item.study_design,
            study_design_basis=item.study_design_basis,
            citation=item.citation,
            reference_number=item.reference_number,
            cite_as=item.cite_as,
            record_id=item.record_id,
            included=item.included,
            inclusion_override=item.inclusion_override,
            created_at=now(),
        )
    )
    document_id = inserted_id(result)
    if item.text:
        add_text_version(connection, document_id, item.text)
    return document_id


def add_text_version(
    connection: Connection,
    document_id: int,
    text: str,
    pages: list[tuple[int, int, int]] | None = None,
    format: str = "txt",
) -> int:
    """Append a new immutable text version; returns its id."""
    latest = connection.execute(
        sa.select(sa.func.max(document_text.c.version)).where(
            document_text.c.document_id == document_id
        )
    ).scalar()
    result = connection.execute(
        document_text.insert().values(
            document_id=document_id,
            version=(latest or 0) + 1,
            text=text,
            length=len(text),
            sha256=text_hash(text),
            pages=[list(p) for p in pages or [(1, 0, len(text))]],
            format=format,
            created_at=now(),
        )
    )
    text_id = inserted_id(result)
    from realist.store.search import index_text  # the search folding loads when text is added

    index_text(connection, "document", text_id, text)
    return text_id


def document_id(connection: Connection, key: str) -> int:
    found = connection.execute(sa.select(document.c.id).where(document.c.key == key)).scalar()
    if found is None:
        raise NotFound(f"no document '{key}' in this review")
    return int(found)


def latest_text(connection: Connection, document_id: int) -> tuple[int, str] | None:
    """(text version id, text) of a document's newest extraction, or None."""
    row = connection.execute(
        sa.select(document_text.c.id, document_text.c.text)
        .where(document_text.c.document_id == document_id)
        .order_by(document_text.c.version.desc())
        .limit(1)
    ).first()
    return (int(row.id), row.text) if row else None


def _to_document(
    row: sa.Row[tuple[object, ...]],
    text: str = "",
    sha: str = "",
    standing: tuple[Outcome | None, Outcome | None] | None = None,
) -> Document:
    if standing is None:
        first = Outcome(row.title_abstract) if row.title_abstract else None
        second = Outcome(row.full_text) if row.full_text else None
    else:
        first, second = standing
    return Document(
        key=row.key,
        title=row.title,
        document_type=DocumentType(row.document_type),
        study_design=StudyDesign(row.study_design) if row.study_design else None,
        study_design_basis=row.study_design_basis,
        citation=row.citation,
        reference_number=row.reference_number,
        record_id=row.record_id,
        included=row.included,
        text=text,
        text_sha256=sha,
        id=row.id,
        status=document_status(row.included, row.record_id is not None, first, second),
        inclusion_override=row.inclusion_override,
        cite_as=row.cite_as,
    )


def _with_standing(connection: Connection) -> sa.Select[tuple[object, ...]]:
    """Documents with where their records stand at each stage (settled in SQL, for the
    documents' records only), from which each document's status follows."""
    mode = ScreeningMode(connection.execute(_MODE).scalar_one())
    return _standing(mode)


_MODE = sa.select(review.c.screening_mode)
_DOCUMENT_RECORDS = sa.select(document.c.record_id).where(document.c.record_id.is_not(None))


@lru_cache(maxsize=2)
def _standing(mode: ScreeningMode) -> sa.Select[tuple[object, ...]]:
    # Built once per screening mode (building costs more than running, see store.reviews).
    first = settled_query(Stage.TITLE_ABSTRACT, mode, _DOCUMENT_RECORDS).subquery("first")
    second = settled_query(Stage.FULL_TEXT, mode, _DOCUMENT_RECORDS).subquery("second")
    return (
        sa.select(
            document,
            first.c.outcome.label("title_abstract"),
            second.c.outcome.label("full_text"),
        )
        .outerjoin(first, first.c.record_id == document.c.record_id)
        .outerjoin(second, second.c.record_id == document.c.record_id)
    )


def list_documents(
    connection: Connection,
    outcomes: Mapping[int, tuple[Outcome, Outcome]] | None = None,
) -> list[Document]:
    """Every document with its status, without text (texts can be large; fetch one with
    get_document). ``outcomes`` (record id -> where it stands at each stage), when the
    caller has settled them already, spares settling them again."""
    if outcomes is None:
        rows = connection.execute(_with_standing(connection).order_by(*_DOCUMENT_ORDER))
        return [_to_document(r) for r in rows]
    found = []
    for r in connection.execute(_DOCUMENTS):
        first, second = outcomes.get(r.record_id, (None, None)) if r.record_id else (None, None)
        known = (
            first if first is not Outcome.UNDECIDED else None,
            second if second is not Outcome.UNDECIDED else None,
        )
        found.append(_to_document(r, standing=known))
    return found


_DOCUMENT_ORDER = (document.c.reference_number.nulls_last(), document.c.key)
_DOCUMENTS = sa.select(document).order_by(*_DOCUMENT_ORDER)


def document_for_record(connection: Connection, record_id: int) -> Document | None:
    """The document attached to a record as its full text, if any (without text)."""
    row = connection.execute(
        _with_standing(connection).where(document.c.record_id == record_id).limit(1)
    ).first()
    return _to_document(row) if row else None


def get_document(connection: Connection, key: str) -> Document:
    row = connection.execute(_with_standing(connection).where(document.c.key == key)).first()
    if row is None:
        raise NotFound(f"no document '{key}' in this review")
    latest = latest_text(connection, row.id)
    return _to_document(row, text=latest[1] if latest else "")


def _encode(value: AttributeValue) -> tuple[AttributeType, str]:
    kind = attribute_type_of(value)
    if kind is AttributeType.BOOLEAN:
        return kind, "true" if value else "false"
    if kind is AttributeType.NUMBER:
        return kind, repr(value)
    return kind, str(value)


def _decode(kind: str, value: str) -> AttributeValue:
    if kind == AttributeType.BOOLEAN:
        return value == "true"
    if kind == AttributeType.NUMBER:
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


def insert_intervention(connection: Connection, item: Intervention) -> int:
    result = connection.execute(intervention.insert().values(number=item.number, name=item.name))
    intervention_id = inserted_id(result)
    for name, value in item.attributes.items():
        kind, encoded = _encode(value)
        connection.execute(
            intervention_attribute.insert().values(
                intervention_id=intervention_id, name=name, type=kind, value=encoded
            )
        )
    for position, key in enumerate(item.document_keys):
        connection.execute(
            intervention_document.insert().values(
                intervention_id=intervention_id,
                document_id=document_id(connection, key),
                position=position,
            )
        )
    return intervention_id


def intervention_ids(connection: Connection) -> dict[int, int]:
    """Intervention number -> id."""
    rows = connection.execute(sa.select(intervention.c.number, intervention.c.id))
    return {r.number: r.id for r in rows}


def list_interventions(connection: Connection) -> list[Intervention]:
    """Every intervention with its attributes and documents, by number (three queries)."""
    items = {
        r.id: Intervention(number=r.number, name=r.name, id=r.id)
        for r in connection.execute(sa.select(intervention).order_by(intervention.c.number))
    }
    for r in connection.execute(
        sa.select(intervention_attribute).order_by(intervention_attribute.c.name)
    ):
        items[r.intervention_id].attributes[r.name] = _decode(r.type, r.value)
    for r in connection.execute(
        sa.select(intervention_document.c.intervention_id, document.c.key)
        .join(document, document.c.id == intervention_document.c.document_id)
        .order_by(intervention_document.c.position)
    ):
        items[r.intervention_id].document_keys.append(r.key)
    return list(items.values())


def upsert_intervention(
    connection: Connection,
    number: int,
    name: str | None,
    attributes: dict[str, AttributeValue],
    document_keys: list[str],
) -> int:
    """Create intervention ``number`` if needed; set its name and attributes; link documents."""
    found = connection.execute(
        sa.select(intervention.c.id).where(intervention.c.number == number)
    ).scalar()
    if found is None:
        return insert_intervention(
            connection, Intervention(number, name or "", attributes, document_keys)
        )
    intervention_id = int(found)
    if name is not None:
        connection.execute(
            intervention.update().where(intervention.c.id == intervention_id).values(name=name)
        )
    for attribute, value in attributes.items():
        kind, encoded = _encode(value)
        connection.execute(
            intervention_attribute.delete().where(
                intervention_attribute.c.intervention_id == intervention_id,
                intervention_attribute.c.name == attribute,
            )
        )
        connection.execute(
            intervention_attribute.insert().values(
                intervention_id=intervention_id, name=attribute, type=kind, value=encoded
            )
        )
    linked = {
        r[0]
        for r in connection.execute(
            sa.select(intervention_document.c.document_id).where(
                intervention_document.c.intervention_id == intervention_id
            )
        )
    }
    for key in document_keys:
        doc_id = document_id(connection, key)
        if doc_id not in linked:
            connection.execute(
                intervention_document.insert().values(
                    intervention_id=intervention_id, document_id=doc_id, position=len(linked)
                )
            )
            linked.add(doc_id)
    return intervention_id
