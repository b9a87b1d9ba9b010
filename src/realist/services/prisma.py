"""PRISMA 2020 counts: computed from the review's data, typed only where data cannot know.

The counts themselves come from :mod:`realist.services.counts`, the one place every output
reads them from. A count entered by hand (``realist prisma --set``) wins over a computed
one: it is how a reviewer records what the data cannot know (organisations contacted,
records removed by automation tools before import) or, as in the demo, counts transcribed
from a published flow diagram.
"""

from __future__ import annotations

from realist.domain.prisma import PrismaCounts
from realist.errors import InvalidInput
from realist.services.counts import SETTABLE, flow
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store.events import append_event

__all__ = ["SETTABLE", "prisma_counts", "set_manual_counts"]


def prisma_counts(store: Store) -> PrismaCounts:
    """The review's PRISMA 2020 counts: computed, then hand-entered ones on top."""
    return flow(store)


def set_manual_counts(store: Store, counts: dict[str, int | None], reviewer: str | None) -> None:
    """Record counts the data cannot know; None clears a hand-entered count."""
    unknown = [name for name in counts if name not in SETTABLE]
    if unknown:
        raise InvalidInput(f"no PRISMA box '{unknown[0]}' (boxes: {', '.join(SETTABLE)})")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        reviews_repo.set_flow_counts(connection, counts)
        append_event(connection, "prisma.counts_set", key, "review", dict(counts))
