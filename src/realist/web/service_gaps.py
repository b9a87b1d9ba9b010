"""Reads the web needs that the services do not offer yet: one place, each to be replaced
by a service function (see docs/WEB.md, "Service gaps"), then this module deleted.

Nothing here writes, holds a rule of the domain, or touches a table: each function only
calls an existing service (or its module's reader) inside ``Store.reading``.
"""

from __future__ import annotations

from realist.domain.screening import ScreeningMode
from realist.services import prisma
from realist.services import screening as screening_service
from realist.store import Store


def screening_mode(store: Store) -> ScreeningMode:
    """Single or dual screening. Wanted: ``services.screening.screening_mode(store)``."""
    with store.reading() as connection:
        return screening_service._mode(connection)


def source_names(store: Store) -> list[str]:
    """Names of the sources records came from or were searched, for the records filter.
    Wanted: ``services.records.list_sources(store)``."""
    counts = prisma.prisma_counts(store)
    names: list[str] = []
    for part in (
        counts.database_specific_results,
        counts.register_specific_results,
        counts.website_specific_results,
    ):
        names += [n for n in part if n not in names]
    return names
