"""The PRISMA 2020 flow of a review, computed from what happened to each imported record.

One pure function, :func:`flow_counts`, turns one fact per record (where it came from,
whether it was removed as a duplicate, where it stands at each screening stage) into every
box of the diagram. Every output that shows a flow figure (``realist status``, the
dashboard, the diagram, its CSV, the RAMESES checklist, the whole-review report) reads the
same :class:`~realist.domain.prisma.PrismaCounts`, so they cannot disagree.

The rules, per arm (databases and registers; other methods), and why:

- A record belongs to the arm of the source it was imported from; a duplicate is counted in
  the arm of the record *removed*, not of the record kept, so each arm's boxes add up.
- Records of both arms are screened on title and abstract in Realist (PRISMA's other-methods
  column has no such box, so Realist adds ``other_records_excluded`` and shows it there).
- A review in progress has records still waiting for a decision (undecided, awaiting the
  second reviewer, in conflict). They are counted in their own boxes (``records_awaiting``,
  ``dbr_awaiting_reports`` and the other arm's twins) instead of being left out, so the
  identities hold at every moment and reduce to PRISMA's own when nothing waits:

  identified − removed before screening = screened;
  screened − excluded − awaiting = sought;
  sought − not retrieved − awaiting = assessed;
  assessed − excluded with reasons = included.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from realist.domain.prisma import NO_REASON, PrismaCounts
from realist.domain.review import SourceKind
from realist.domain.screening import Outcome

PASSES_SCREENING = frozenset({Outcome.INCLUDED, Outcome.MAYBE})
"""Title/abstract outcomes that send a record on to full-text screening."""

ASSESSED = frozenset({Outcome.INCLUDED, Outcome.EXCLUDED})
"""Full-text outcomes of a report that was retrieved and judged."""

SETTLED_SCREENING = PASSES_SCREENING | {Outcome.EXCLUDED}
"""Title/abstract outcomes that settle a record (anything else still waits)."""

BOXES = {
    SourceKind.DATABASE: "database",
    SourceKind.REGISTER: "register",
    SourceKind.WEBSITE: "website",
    SourceKind.ORGANISATION: "organisation",
    SourceKind.CITATION: "citations",
    SourceKind.OTHER: "other_sources",
}
"""The identification box each kind of source is counted in (PRISMA2020 field prefixes;
``other_sources`` is Realist's own, for methods that are none of the three named)."""

NAMED_BOXES = ("database", "register", "website", "other_sources")
"""Boxes that list their sources by name (``<box>_specific_results``)."""


@dataclass(frozen=True)
class RecordFlow:
    """What the flow diagram needs to know about one imported record."""

    source: str  # the name of the source it was imported from
    kind: SourceKind
    removed: bool  # merged into another record as its duplicate
    title_abstract: Outcome = Outcome.UNDECIDED
    full_text: Outcome = Outcome.UNDECIDED
    reason: str | None = None  # the criterion cited by a settled full-text exclusion


@dataclass
class _Arm:
    """Running counts of one arm (databases and registers, or other methods)."""

    removed: int = 0
    standing: int = 0
    excluded: int = 0
    awaiting: int = 0
    sought: int = 0
    not_retrieved: int = 0
    awaiting_reports: int = 0
    assessed: int = 0
    included: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, item: RecordFlow) -> None:
        if item.removed:
            self.removed += 1
            return
        self.standing += 1
        first = item.title_abstract
        if first is Outcome.EXCLUDED:
            self.excluded += 1
        elif first not in PASSES_SCREENING:
            self.awaiting += 1
        else:
            self.sought += 1
            second = item.full_text
            if second is Outcome.NOT_RETRIEVED:
                self.not_retrieved += 1
            elif second not in ASSESSED:
                self.awaiting_reports += 1
            else:
                self.assessed += 1
                if second is Outcome.INCLUDED:
                    self.included += 1
                else:
                    self.reasons[item.reason or NO_REASON] += 1

    def excluded_reports(self) -> dict[str, int | None]:
        return dict(sorted(self.reasons.items()))


def flow_counts(
    records: Iterable[RecordFlow],
    sources: Iterable[tuple[str, SourceKind]] = (),
    *,
    studies: int | None = None,
) -> PrismaCounts:
    """Every box of the PRISMA 2020 diagram from one fact per imported record.

    ``sources`` names every source of the search strategy (in order), so a source that gave
    no records still shows, with 0; a kind of source the review has none of is unknown.
    ``studies`` is the number of included studies (Realist's cases, the interventions),
    which records cannot tell. Realist removes nothing by
    automation or by hand before screening, so those two boxes are 0 (a reviewer who did so
    elsewhere records it with ``realist prisma --set``).
    """
    per_box: dict[str, Counter[str]] = {box: Counter() for box in BOXES.values()}
    for name, kind in sources:
        per_box[BOXES[kind]][name] += 0
    searched, other = _Arm(), _Arm()
    for item in records:
        per_box[BOXES[item.kind]][item.source] += 1
        (other if item.kind.other_method else searched).add(item)
    values: dict[str, object] = {}
    for box, parts in per_box.items():
        # A kind of source the review did not use is unknown, not 0: records from it may
        # exist that were never imported (organisations contacted, say).
        values[f"{box}_results"] = sum(parts.values()) if parts else None
        if box in NAMED_BOXES:
            values[f"{box}_specific_results"] = dict(parts)
    return PrismaCounts(
        **values,  # type: ignore[arg-type]
        duplicates=searched.removed,
        excluded_automatic=0,
        excluded_other=0,
        records_screened=searched.standing,
        records_excluded=searched.excluded,
        records_awaiting=searched.awaiting,
        dbr_sought_reports=searched.sought,
        dbr_notretrieved_reports=searched.not_retrieved,
        dbr_awaiting_reports=searched.awaiting_reports,
        dbr_assessed=searched.assessed,
        dbr_excluded=searched.excluded_reports(),
        other_duplicates=other.removed,
        other_records_excluded=other.excluded,
        other_records_awaiting=other.awaiting,
        other_sought_reports=other.sought,
        other_notretrieved_reports=other.not_retrieved,
        other_awaiting_reports=other.awaiting_reports,
        other_assessed=other.assessed,
        other_excluded=other.excluded_reports(),
        new_reports=searched.included + other.included,
        new_studies=studies,
    )
