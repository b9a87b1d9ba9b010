"""The intervention (case) table: create and change interventions, their typed attributes
and their documents, and undo any of it (remove, rename, unlink, delete), each change an
event in the audit trail."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from realist.domain.documents import AttributeValue, Document, Intervention
from realist.domain.identifiers import MAX_ID
from realist.errors import InvalidInput, NotFound
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import interventions as interventions_repo
from realist.store import reviews as reviews_repo
from realist.store.events import append_event

__all__ = [
    "PHRASES_SETTING",
    "RESERVED",
    "DeletedIntervention",
    "delete_intervention",
    "import_interventions",
    "intervention_json",
    "list_interventions",
    "parse_value",
    "remove_attribute",
    "rename_attribute",
    "set_intervention",
    "unlink_document",
    "unset_attribute",
]

PHRASES_SETTING = "summary_phrases"  # the intervention summary's wording, by attribute
RESERVED = ("number", "name", "documents")  # the CSV columns that are not attributes
NAME_LIMIT = 100  # the store's column


def attribute_name(name: str) -> str:
    """An attribute's name as stored: trimmed, not empty, not a column of the intervention
    table itself, at most 100 characters."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("an attribute needs a name")
    if cleaned.lower() in RESERVED:
        raise InvalidInput(f"'{cleaned}' names a column of the table, not an attribute")
    if len(cleaned) > NAME_LIMIT:
        raise InvalidInput(f"an attribute's name has at most {NAME_LIMIT} characters")
    return cleaned


def list_interventions(store: Store) -> tuple[list[Intervention], dict[str, Document]]:
    """Interventions in number order, and the documents they cite by key."""
    with store.reading() as connection:
        documents = {d.key: d for d in documents_repo.list_documents(connection)}
        return documents_repo.list_interventions(connection), documents


def intervention_json(item: Intervention, documents: dict[str, Document]) -> dict[str, Any]:
    """The stable ``interventions --json`` shape of one intervention."""
    return {
        "number": item.number,
        "name": item.name,
        "attributes": dict(sorted(item.attributes.items())),
        "documents": [
            {
                "key": key,
                "reference": documents[key].reference_number,
                "title": documents[key].title,
                "document_type": documents[key].document_type.value,
            }
            for key in item.document_keys
        ],
    }


def parse_value(raw: str) -> AttributeValue:
    """An attribute value typed from its text: true/false, a number, or text."""
    text = raw.strip()
    if text.lower() in ("true", "yes"):
        return True
    if text.lower() in ("false", "no"):
        return False
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def set_intervention(
    store: Store,
    number: int,
    reviewer: str | None,
    *,
    name: str | None = None,
    attributes: dict[str, AttributeValue] | None = None,
    documents: list[str] | None = None,
) -> Intervention:
    """Create an intervention or change it: set attributes, link documents."""
    if not 0 < number <= MAX_ID:
        raise InvalidInput(f"interventions are numbered from 1 (to {MAX_ID:,}), not {number}")
    attributes = {attribute_name(k): v for k, v in (attributes or {}).items()}
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        documents_repo.upsert_intervention(
            connection, number, name, attributes or {}, documents or []
        )
        append_event(
            connection,
            "intervention.changed",
            key,
            f"intervention:{number}",
            {
                "name": name,
                "attributes": {k: str(v) for k, v in (attributes or {}).items()},
                "documents": documents or [],
            },
        )
        return next(i for i in documents_repo.list_interventions(connection) if i.number == number)


def import_interventions(store: Store, path: Path, reviewer: str | None) -> int:
    """Interventions from a CSV: columns ``number``, optional ``name`` and ``documents``
    (document keys separated by ';'), every other column an attribute. All rows or none."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path}: cannot read ({error})") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "number" not in rows[0]:
        raise InvalidInput(f"{path}: needs a header row with a 'number' column")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        for line, row in enumerate(rows, start=2):
            number = (row.pop("number") or "").strip()
            if not (number.isascii() and number.isdigit() and 0 < int(number) <= MAX_ID):
                raise InvalidInput(
                    f"{path}:{line}: 'number' must be a whole number from 1 to {MAX_ID:,}, "
                    f"not {number!r}"
                )
            name = (row.pop("name", "") or "").strip() or None
            docs = [d.strip() for d in (row.pop("documents", "") or "").split(";") if d.strip()]
            attributes = {
                k.strip(): parse_value(v) for k, v in row.items() if k and v and v.strip()
            }
            try:
                documents_repo.upsert_intervention(connection, int(number), name, attributes, docs)
            except NotFound as error:
                raise InvalidInput(f"{path}:{line}: {error}") from None
        append_event(
            connection,
            "interventions.imported",
            key,
            "interventions",
            {"file": path.name, "rows": len(rows)},
        )
    return len(rows)


def unset_attribute(store: Store, number: int, attribute: str, reviewer: str | None) -> None:
    """Take one attribute off one intervention (its value goes into the event)."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        before = _attributes(connection, number)
        if attribute not in before:
            raise NotFound(f"intervention #{number} has no attribute '{attribute}'")
        interventions_repo.remove_attribute(connection, attribute, number)
        append_event(
            connection,
            "intervention.attribute_unset",
            key,
            f"intervention:{number}",
            {"attribute": attribute, "value": before[attribute]},
        )


def remove_attribute(store: Store, attribute: str, reviewer: str | None) -> int:
    """Take an attribute off every intervention (a column of the table), and its wording
    out of the intervention summary; returns how many values went (all in the event)."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        values = _values_of(connection, attribute)
        if not values:
            raise NotFound(f"no intervention has an attribute '{attribute}'")
        removed = interventions_repo.remove_attribute(connection, attribute)
        phrasing = _rename_phrasing(connection, attribute, None)
        append_event(
            connection,
            "intervention.attribute_removed",
            key,
            f"attribute:{attribute}",
            {"values": values, "phrasing": phrasing},
        )
        return removed


def rename_attribute(store: Store, old: str, new: str, reviewer: str | None) -> int:
    """Rename an attribute on every intervention, and in the summary's wording; refused
    when an intervention already has an attribute of the new name (a value would be
    lost). Returns how many interventions had it."""
    new = attribute_name(new)
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        holders = interventions_repo.attribute_holders(connection, old)
        if not holders:
            raise NotFound(f"no intervention has an attribute '{old}'")
        if new == old:
            return len(holders)
        clash = sorted(set(holders) & set(interventions_repo.attribute_holders(connection, new)))
        if clash:
            numbers = ", ".join(f"#{n}" for n in clash)
            raise InvalidInput(
                f"'{new}' is already an attribute of {numbers}: remove it there first, "
                "or choose another name"
            )
        renamed = interventions_repo.rename_attribute(connection, old, new)
        _rename_phrasing(connection, old, new)
        append_event(
            connection,
            "intervention.attribute_renamed",
            key,
            f"attribute:{old}",
            {"from": old, "to": new, "interventions": holders},
        )
        return renamed


def unlink_document(store: Store, number: int, document_key: str, reviewer: str | None) -> None:
    """Unlink a document from an intervention (both stay)."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        interventions_repo.unlink_document(
            connection, number, documents_repo.document_id(connection, document_key)
        )
        append_event(
            connection,
            "intervention.document_unlinked",
            key,
            f"intervention:{number}",
            {"document": document_key},
        )


@dataclass(frozen=True)
class DeletedIntervention:
    """What went with a deleted intervention: its links (the documents, configurations
    and excerpts themselves stay). Excerpts that were case-coded to it now speak for their
    documents' interventions, so the evidence matrix changes: the caller says so."""

    number: int
    name: str
    attributes: dict[str, AttributeValue]
    documents: list[str]
    configurations: list[str]
    excerpts: list[int]


def delete_intervention(store: Store, number: int, reviewer: str | None) -> DeletedIntervention:
    """Delete an intervention with its attributes and links; configurations that cited it
    keep their identity. The event holds all of it, so nothing is lost from the record."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        item = _intervention(connection, number)
        links = interventions_repo.intervention_links(connection, number)
        interventions_repo.delete_intervention(connection, number)
        gone = DeletedIntervention(
            number=number,
            name=item.name,
            attributes=dict(item.attributes),
            documents=links["documents"],
            configurations=links["configurations"],
            excerpts=[int(e) for e in links["excerpts"]],
        )
        append_event(
            connection,
            "intervention.deleted",
            key,
            f"intervention:{number}",
            {
                "name": gone.name,
                "attributes": gone.attributes,
                "documents": gone.documents,
                "configurations": gone.configurations,
                "excerpts": gone.excerpts,
            },
        )
        return gone


def _intervention(connection: Connection, number: int) -> Intervention:
    found = next(
        (i for i in documents_repo.list_interventions(connection) if i.number == number), None
    )
    if found is None:
        raise NotFound(f"no intervention #{number} in this review")
    return found


def _attributes(connection: Connection, number: int) -> dict[str, AttributeValue]:
    return _intervention(connection, number).attributes


def _values_of(connection: Connection, attribute: str) -> dict[str, AttributeValue]:
    """Intervention number (as text, for JSON) -> its value of ``attribute``."""
    return {
        str(i.number): i.attributes[attribute]
        for i in documents_repo.list_interventions(connection)
        if attribute in i.attributes
    }


def _rename_phrasing(connection: Connection, old: str, new: str | None) -> object:
    """Move the summary's wording of ``old`` to ``new`` (or drop it when ``new`` is None),
    so no wording is left for an attribute that no longer exists; returns what it was."""
    stored = reviews_repo.get_setting(connection, PHRASES_SETTING)
    if not isinstance(stored, list):
        return None
    kept, was = [], None
    for item in stored:
        if isinstance(item, dict) and item.get("attribute") == old:
            was = item
            if new is not None:
                kept.append({**item, "attribute": new})
        else:
            kept.append(item)
    if was is not None:
        reviews_repo.set_setting(connection, PHRASES_SETTING, kept)
    return was
