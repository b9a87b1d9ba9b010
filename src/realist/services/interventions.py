"""The intervention (case) table."""

from __future__ import annotations

from typing import Any

from realist.domain.documents import Document, Intervention
from realist.store import Store
from realist.store import documents as documents_repo


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
