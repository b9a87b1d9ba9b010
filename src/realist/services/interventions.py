"""The intervention (case) table."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from realist.domain.documents import AttributeValue, Document, Intervention
from realist.errors import InvalidInput, NotFound
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo
from realist.store.events import append_event


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
            if not number.isdigit():
                raise InvalidInput(
                    f"{path}:{line}: 'number' must be a whole number, not {number!r}"
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
