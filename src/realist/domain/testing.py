"""Theory testing: weighing the evidence for a configuration and proposing a verdict.

The reviewer always has the last word; these rules only *propose*, and say why, so a
proposal can be confirmed or overridden with a rationale.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from realist.domain.appraisal import Grade
from realist.domain.coding import Stance
from realist.domain.theory import Verdict


@dataclass(frozen=True)
class EvidenceItem:
    """One excerpt's bearing on one configuration."""

    excerpt_id: int
    stance: Stance
    relevance: Grade | None
    rigour: Grade | None
    document_key: str = ""
    study_design: str | None = None
    interventions: tuple[int, ...] = ()
    label: str = ""
    text: str = ""


@dataclass(frozen=True)
class VerdictRule:
    """When evidence is enough to call a configuration supported.

    ``min_support_rigour``: a supporting (or refining) excerpt counts only if its rigour is
    at least this; None means any supporting excerpt counts, appraised or not.
    ``refutation_blocks_at``: a refuting excerpt of at least this rigour blocks support.
    """

    min_support_rigour: Grade | None = Grade.MODERATE
    refutation_blocks_at: Grade = Grade.HIGH

    def describe(self) -> str:
        need = "at least one supporting excerpt"
        if self.min_support_rigour is not None:
            need += f" of at least {self.min_support_rigour.value} rigour"
        return (
            f"supported when {need} and no refuting excerpt of "
            f"{self.refutation_blocks_at.value} rigour or more"
        )

    def as_json(self) -> dict[str, str | None]:
        return {
            "min_support_rigour": self.min_support_rigour.value
            if self.min_support_rigour
            else None,
            "refutation_blocks_at": self.refutation_blocks_at.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> VerdictRule:
        least = data.get("min_support_rigour")
        return cls(
            min_support_rigour=Grade(str(least)) if least else None,
            refutation_blocks_at=Grade(str(data.get("refutation_blocks_at") or "high")),
        )


def _at_least(grade: Grade | None, threshold: Grade | None) -> bool:
    if threshold is None:
        return True
    return grade is not None and grade.rank >= threshold.rank


@dataclass(frozen=True)
class Proposal:
    """What the rule proposes: a verdict with its reason, or None (untested: no evidence
    is coded, so there is nothing to judge)."""

    verdict: Verdict | None
    reason: str


OPPOSED = {Stance.REFUTES: (Stance.SUPPORTS, Stance.REFINES)}


def contested(evidence: list[EvidenceItem]) -> list[int]:
    """Excerpts coded to one configuration with opposite stances (refutes against supports
    or refines), usually by different coders: they need reconciling, not pooling."""
    stances: dict[int, set[Stance]] = {}
    for e in evidence:
        stances.setdefault(e.excerpt_id, set()).add(e.stance)
    return sorted(
        excerpt
        for excerpt, found in stances.items()
        if Stance.REFUTES in found and found & {Stance.SUPPORTS, Stance.REFINES}
    )


def propose_verdict(evidence: list[EvidenceItem], rule: VerdictRule) -> Proposal:
    """The verdict the rule proposes for one configuration's evidence, with its reason.

    No evidence proposes nothing (untested). Excerpts coded with opposite stances are set
    aside until the coders reconcile them, and the reason says so."""
    if not evidence:
        return Proposal(None, "untested: no evidence coded")
    disputed = set(contested(evidence))
    usable = [e for e in evidence if e.excerpt_id not in disputed]
    aside = (
        f"; {len(disputed)} excerpt(s) coded with opposite stances set aside" if disputed else ""
    )
    backing = [
        e
        for e in usable
        if e.stance in (Stance.SUPPORTS, Stance.REFINES)
        and _at_least(e.rigour, rule.min_support_rigour)
    ]
    blocking = [
        e
        for e in usable
        if e.stance is Stance.REFUTES and _at_least(e.rigour, rule.refutation_blocks_at)
    ]
    if blocking:
        return Proposal(
            Verdict.NOT_SUPPORTED,
            f"{len(blocking)} refuting excerpt(s) of {rule.refutation_blocks_at.value} rigour"
            + aside,
        )
    if not backing:
        refuting = sum(1 for e in usable if e.stance is Stance.REFUTES)
        why = "no supporting excerpt meets the rule" if usable else "all its evidence is disputed"
        if refuting:
            why += f"; {refuting} refuting"
        return Proposal(Verdict.NOT_SUPPORTED, why + aside)
    refining = sum(1 for e in backing if e.stance is Stance.REFINES)
    if refining:
        return Proposal(
            Verdict.REFINED, f"{len(backing)} excerpt(s) back it, {refining} refine it" + aside
        )
    return Proposal(
        Verdict.SUPPORTED, f"{len(backing)} supporting excerpt(s) meet the rule" + aside
    )


@dataclass
class EvidenceSummary:
    """What the evidence for one configuration looks like, for a reviewer to judge."""

    identifier: str
    items: list[EvidenceItem] = field(default_factory=list)

    def by_stance(self, stance: Stance) -> list[EvidenceItem]:
        return [e for e in self.items if e.stance is stance]

    @property
    def excerpts(self) -> int:
        """Distinct excerpts coded to the configuration (any stance)."""
        return len({e.excerpt_id for e in self.items})

    @property
    def contested(self) -> list[int]:
        """Excerpts coded to it with opposite stances (see :func:`contested`)."""
        return contested(self.items)

    @property
    def documents(self) -> list[str]:
        return sorted({e.document_key for e in self.items})

    @property
    def interventions(self) -> list[int]:
        return sorted({n for e in self.items for n in e.interventions})

    @property
    def designs(self) -> dict[str, int]:
        return dict(sorted(Counter(e.study_design or "unknown" for e in self.items).items()))

    @property
    def rigour(self) -> dict[str, int]:
        return dict(
            sorted(
                Counter(e.rigour.value if e.rigour else "unappraised" for e in self.items).items()
            )
        )

    @property
    def relevance(self) -> dict[str, int]:
        return dict(
            sorted(
                Counter(
                    e.relevance.value if e.relevance else "unappraised" for e in self.items
                ).items()
            )
        )
