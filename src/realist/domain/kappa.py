"""Cohen's kappa, for any two raters' paired categorical judgements."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def cohens_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """(observed - chance) / (1 - chance) agreement; None when undefined (no pairs, or
    chance agreement is total because both raters always gave one and the same answer)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / n
    categories = {a for a, _ in pairs} | {b for _, b in pairs}
    chance = sum(
        (sum(1 for a, _ in pairs if a == c) / n) * (sum(1 for _, b in pairs if b == c) / n)
        for c in categories
    )
    if chance >= 1:
        return None
    return (observed - chance) / (1 - chance)
