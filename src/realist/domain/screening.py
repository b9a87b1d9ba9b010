"""Eligibility criteria and screening decisions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from realist.domain.kappa import cohens_kappa


class CriterionKind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@dataclass
class EligibilityCriterion:
    """One inclusion or exclusion criterion, by dimension (population, setting, ...)."""

    code: str  # stable identifier a screening decision cites as its reason
    dimension: str
    kind: CriterionKind
    text: str
    position: int = 0
    id: int | None = None
    retired: bool = False  # cited by decisions but no longer offered for new ones


class Stage(StrEnum):
    TITLE_ABSTRACT = "title_abstract"
    FULL_TEXT = "full_text"


class Decision(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"
    NOT_RETRIEVED = "not_retrieved"  # full text only: the report could not be obtained


@dataclass
class ScreeningDecision:
    """A reviewer's decision on one record at one stage."""

    record_id: int
    stage: Stage
    decision: Decision
    reviewer_key: str
    criterion_code: str | None = None  # the reason, for exclusions
    note: str = ""
    resolves_conflict: bool = False  # a third say that settles two reviewers' disagreement
    created_at: str | None = None
    id: int | None = None

    def problems(self) -> list[str]:
        """Rules a decision must meet; an empty list means it is valid."""
        found = []
        if (
            self.stage is Stage.FULL_TEXT
            and self.decision is Decision.EXCLUDE
            and not self.criterion_code
        ):
            found.append("a full-text exclusion must cite an eligibility criterion")
        if self.decision is not Decision.EXCLUDE and self.criterion_code:
            found.append("only an exclusion cites a criterion as its reason")
        if self.decision is Decision.NOT_RETRIEVED and self.stage is not Stage.FULL_TEXT:
            found.append("only a full text can be recorded as not retrieved")
        return found


class ScreeningMode(StrEnum):
    SINGLE = "single"  # one reviewer's decision settles a record
    DUAL = "dual"  # two independent, blinded decisions; disagreements become conflicts


class Outcome(StrEnum):
    """Where a record stands at one stage."""

    UNDECIDED = "undecided"
    AWAITING_SECOND = "awaiting_second"  # dual mode: one decision so far
    CONFLICT = "conflict"
    INCLUDED = "include"
    EXCLUDED = "exclude"
    MAYBE = "maybe"
    NOT_RETRIEVED = "not_retrieved"


_SETTLED = {
    Decision.INCLUDE: Outcome.INCLUDED,
    Decision.EXCLUDE: Outcome.EXCLUDED,
    Decision.MAYBE: Outcome.MAYBE,
    Decision.NOT_RETRIEVED: Outcome.NOT_RETRIEVED,
}


def settle(decisions: list[ScreeningDecision], mode: ScreeningMode) -> Outcome:
    """Where one record stands at one stage, given every decision made on it there.

    Each reviewer's latest decision counts. A conflict resolution settles the record
    whatever came before. In dual mode two reviewers must agree; a maybe against a
    definite decision is a conflict, as in Covidence.
    """
    resolutions = [d for d in decisions if d.resolves_conflict]
    if resolutions:
        return _SETTLED[resolutions[-1].decision]
    latest: dict[str, Decision] = {}
    for item in decisions:
        latest[item.reviewer_key] = item.decision
    if not latest:
        return Outcome.UNDECIDED
    if mode is ScreeningMode.SINGLE:
        return _SETTLED[list(latest.values())[-1]]
    if len(latest) < 2:
        return Outcome.AWAITING_SECOND
    if len(set(latest.values())) == 1:
        return _SETTLED[next(iter(latest.values()))]
    return Outcome.CONFLICT


def blinded(decisions: list[ScreeningDecision], mode: ScreeningMode, viewer: str) -> bool:
    """Whether dual screening hides, from ``viewer``, how one record stands at one stage and
    every vote and note on it there (``decisions``: every decision made on it there).

    Blind until both have decided: the votes are shown to a person once they have decided
    the record themselves, or two reviewers have (agreeing or in conflict), or a conflict
    was resolved. Until then a record someone else has voted on looks exactly like one
    nobody has, so neither the way nor the fact of a vote shows. Single screening hides
    nothing.
    """
    if mode is not ScreeningMode.DUAL:
        return False
    if any(d.resolves_conflict for d in decisions):
        return False
    voters = {d.reviewer_key for d in decisions}
    return viewer not in voters and len(voters) < 2


def revealed(decisions: list[ScreeningDecision]) -> bool:
    """Whether both votes on a record at a stage are in (two reviewers, or a resolved
    conflict): from then on each voter knows the other's vote, so neither may change or
    take back theirs (dual screening)."""
    voters = {d.reviewer_key for d in decisions if not d.resolves_conflict}
    return len(voters) >= 2 or any(d.resolves_conflict for d in decisions)


@dataclass(frozen=True)
class Agreement:
    """Agreement between two reviewers on the records both decided at one stage."""

    stage: Stage
    reviewers: tuple[str, str]
    records: int
    percent: float
    kappa: float | None  # None when chance agreement is total (kappa is undefined)


def agreement(
    stage: Stage, first: str, second: str, pairs: list[tuple[Decision, Decision]]
) -> Agreement:
    """Percentage agreement and Cohen's kappa for one reviewer pair at one stage."""
    n = len(pairs)
    percent = 100.0 * sum(1 for a, b in pairs if a == b) / n if n else 0.0
    return Agreement(stage, (first, second), n, percent, cohens_kappa(pairs))
