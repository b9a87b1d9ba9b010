"""Agreement between coders on a configuration, measured on coding decisions.

Two coders agree on an excerpt when both linked it to the configuration, or both did not.
Character overlap is not used: what matters for a realist review is whether the same piece
of evidence was judged to bear on the same theory.
"""

from __future__ import annotations

from dataclasses import dataclass

from realist.domain.kappa import cohens_kappa


@dataclass(frozen=True)
class CodingAgreement:
    configuration: str
    coders: tuple[str, str]
    excerpts: int  # excerpts both coders had before them
    both: int  # linked by both
    only_first: int
    only_second: int
    percent: float
    kappa: float | None


def coding_agreement(
    configuration: str,
    coders: tuple[str, str],
    universe: set[int],
    first: set[int],
    second: set[int],
) -> CodingAgreement:
    """Agreement over ``universe`` (excerpts both coders coded something in), where
    ``first`` and ``second`` are the excerpts each linked to the configuration."""
    first, second = first & universe, second & universe
    pairs = [(e in first, e in second) for e in sorted(universe)]
    agree = sum(1 for a, b in pairs if a == b)
    return CodingAgreement(
        configuration=configuration,
        coders=coders,
        excerpts=len(universe),
        both=len(first & second),
        only_first=len(first - second),
        only_second=len(second - first),
        percent=100.0 * agree / len(pairs) if pairs else 0.0,
        kappa=cohens_kappa(pairs),
    )
