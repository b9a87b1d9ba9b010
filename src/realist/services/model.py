"""The final theoretical model, derived from the configurations and their evidence."""

from __future__ import annotations

from realist.domain.model import FinalModel, derive_model
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import theory as theory_repo


def final_model(store: Store) -> FinalModel:
    """Supported initial theories, struck-through unsupported ones, NEW ones, by topic."""
    with store.reading() as connection:
        counts = coding_repo.evidence_counts(connection)
        return derive_model(
            theory_repo.list_topics(connection),
            theory_repo.list_configurations(connection),
            theory_repo.list_middle_range_theories(connection),
            counts,
        )
