"""The review's counts, computed in one place for every output that shows them.

``realist status``, the dashboard, the PRISMA diagram and CSV, the RAMESES checklist and the
whole-review report all read :func:`review_counts` (or :func:`flow` for the PRISMA boxes
alone), so a figure cannot differ between two of them. The rules:

- **Records** are counted once: a screening stage counts the records eligible there, each in
  exactly one outcome (included, excluded, maybe, not retrieved, or still waiting: undecided,
  awaiting the second reviewer, in conflict). Reviewers' decisions are *votes*, counted
  separately per reviewer (each reviewer's latest decision on each record).
- **Documents** count as included when their record is included at full text
  (:func:`realist.domain.documents.document_status`).
- **The flow** (PRISMA 2020) comes from one fact per imported record
  (:func:`realist.domain.flow.flow_counts`); counts entered by hand win over computed ones.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.documents import Document, DocumentStatus
from realist.domain.flow import BOXES, NAMED_BOXES, PASSES_SCREENING, RecordFlow, flow_counts
from realist.domain.prisma import PrismaCounts
from realist.domain.review import SourceKind
from realist.domain.screening import Decision, Outcome, ScreeningMode, Stage
from realist.domain.theory import Verdict, standing
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo
from realist.store.batches import SOURCE_VISIBLE, VISIBLE
from realist.store.schema import (
    criterion,
    import_batch,
    record,
    reviewer,
    screening_decision,
    source,
)
from realist.store.schema_analysis import coding, configuration, excerpt, intervention, topic
from realist.store.screening import settled_query

__all__ = [
    "OUTCOME_ORDER",
    "ReviewCounts",
    "StageCounts",
    "flow",
    "manual_flow_counts",
    "review_counts",
]

OUTCOME_ORDER = (
    Outcome.INCLUDED,
    Outcome.EXCLUDED,
    Outcome.MAYBE,
    Outcome.NOT_RETRIEVED,
    Outcome.AWAITING_SECOND,
    Outcome.CONFLICT,
    Outcome.UNDECIDED,
)
"""The order outcomes are shown in: settled ones first, then those still waiting."""

WAITING = frozenset({Outcome.AWAITING_SECOND, Outcome.CONFLICT, Outcome.UNDECIDED})

# Older names of manual counts (the demo's transcription) and the PRISMA2020 field each means.
FLOW_ALIASES = {
    "identified": "database_results",
    "duplicates_removed": "duplicates",
    "screened": "records_screened",
    "excluded_title_abstract": "records_excluded",
    "reports_sought": "dbr_sought_reports",
    "reports_not_retrieved": "dbr_notretrieved_reports",
    "reports_assessed": "dbr_assessed",
    "included_documents": "new_reports",
    "included_interventions": "new_studies",
}
SETTABLE = tuple(
    f.name for f in dataclasses.fields(PrismaCounts) if f.type in ("int | None", int | None)
)
"""PRISMA boxes a count can be entered for by hand."""


@dataclass(frozen=True)
class StageCounts:
    """One screening stage: the records eligible there by outcome, and the votes cast.

    Every eligible record is in exactly one outcome, so ``sum(outcomes) == records``.
    """

    stage: Stage
    records: int
    outcomes: dict[Outcome, int]
    votes: dict[str, dict[Decision, int]]  # reviewer -> decision -> records
    resolutions: int  # conflicts settled by a third say
    # Dual screening: votes left out of ``votes`` because they are still blinded (records
    # only one reviewer has decided), other than those of the person they are shown to.
    blinded: int = 0

    @property
    def settled(self) -> int:
        """Records whose outcome at this stage is settled."""
        return self.records - self.waiting

    @property
    def waiting(self) -> int:
        """Records still waiting for a decision (undecided, a second vote, a conflict)."""
        return sum(n for o, n in self.outcomes.items() if o in WAITING)

    def as_json(self) -> dict[str, Any]:
        """The ``status --json`` shape of one stage (docs/CLI.md)."""
        return {
            "records": self.records,
            **{o.value: self.outcomes.get(o, 0) for o in OUTCOME_ORDER},
            "votes": {
                who: {d.value: n for d, n in sorted(cast.items())}
                for who, cast in sorted(self.votes.items())
            },
            "resolutions": self.resolutions,
            "blinded_votes": self.blinded,
        }


@dataclass(frozen=True)
class ReviewCounts:
    """Every count of the review, read at one moment."""

    records_total: int
    records_merged: int
    stages: dict[Stage, StageCounts]
    documents: list[Document]  # every document, with its status
    interventions: int
    configurations: dict[str, dict[str, int]]  # topic key -> standing -> n
    excerpts: int
    codings: int
    flow: PrismaCounts
    manual: dict[str, int | None] = field(default_factory=dict)  # boxes entered by hand

    @property
    def records_unique(self) -> int:
        """Records standing after deduplication."""
        return self.records_total - self.records_merged

    @property
    def included_documents(self) -> list[Document]:
        """Documents that count as included (their record is included at full text)."""
        return [d for d in self.documents if d.status is DocumentStatus.INCLUDED]


def review_counts(store: Store, shown_to: str | None = None) -> ReviewCounts:
    """Every count the review's outputs show, from one read of the store.

    One query says where every record stands (both stages settled in SQL); the stage
    counts, the flow and the documents' status all follow from it in Python, so the figures
    agree by construction and a command pays for a handful of statements (building and
    compiling them is most of a small review's cost).

    Votes per reviewer follow blinded dual screening: a vote on a record only one reviewer
    has decided is counted only for ``shown_to`` when it is their own (None: nobody's, as
    in reports); the others are counted, without their reviewer or way, as ``blinded``.
    Where records stand (awaiting a second vote included) is counted in full."""
    with store.reading() as connection:
        mode = reviews_repo.get_review(connection).screening_mode
        facts = list(connection.execute(_facts_query(mode)).all())
        standing = {r.id: (_outcome(r.first), _outcome(r.second)) for r in facts}
        documents = documents_repo.list_documents(connection, outcomes=standing)
        viewer = -1
        if shown_to is not None:
            viewer = reviews_repo.resolve_reviewer(connection, shown_to)[1]
        votes = _votes(connection, mode, viewer)
        interventions, excerpts, codings = connection.execute(_SIZES).one()
        manual = _manual(connection)
        stages = {stage: _stage(stage, facts, votes.get(stage, {}), mode) for stage in Stage}
        return ReviewCounts(
            records_total=len(facts),
            records_merged=sum(1 for r in facts if r.duplicate_of is not None),
            stages=stages,
            documents=documents,
            interventions=int(interventions),
            configurations=_configurations(connection),
            excerpts=int(excerpts),
            codings=int(codings),
            flow=_flow(connection, facts, documents, int(interventions), manual),
            manual=manual,
        )


def flow(store: Store) -> PrismaCounts:
    """The review's PRISMA 2020 counts: computed from the records, hand-entered ones on top."""
    return review_counts(store).flow


def manual_flow_counts(connection: Connection) -> dict[str, int | None]:
    """Counts entered by hand, by PRISMA2020 field name (older names translated)."""
    return _manual(connection)


def _outcome(value: str | None) -> Outcome:
    return Outcome(value) if value else Outcome.UNDECIDED


_SIZES = sa.select(
    sa.select(sa.func.count()).select_from(intervention).scalar_subquery(),
    sa.select(sa.func.count()).select_from(excerpt).scalar_subquery(),
    sa.select(sa.func.count()).select_from(coding).scalar_subquery(),
)


@lru_cache(maxsize=2)
def _facts_query(mode: ScreeningMode) -> sa.Select[Any]:
    """Every record: whether it was merged away, the source it was imported from (none for
    a record entered by hand), and where it stands at each stage."""
    first = settled_query(Stage.TITLE_ABSTRACT, mode).subquery("first")
    second = settled_query(Stage.FULL_TEXT, mode).subquery("second")
    return (
        sa.select(
            record.c.id,
            record.c.duplicate_of,
            record.c.batch_id,
            source.c.name,
            source.c.kind,
            first.c.outcome.label("first"),
            second.c.outcome.label("second"),
        )
        .outerjoin(import_batch, import_batch.c.id == record.c.batch_id)
        .outerjoin(source, source.c.id == import_batch.c.source_id)
        .outerjoin(first, first.c.record_id == record.c.id)
        .outerjoin(second, second.c.record_id == record.c.id)
        .where(VISIBLE)  # not an import still being written
        .order_by(record.c.id)
    )


def _votes(
    connection: Connection, mode: ScreeningMode, viewer: int
) -> dict[Stage, dict[str, Counter[Decision]]]:
    """Per stage and reviewer, their latest decision on each standing record, counted by
    decision; conflict resolutions are counted apart, under :data:`RESOLUTIONS`, and in
    dual screening votes still blinded from ``viewer`` (a reviewer id) under
    :data:`BLINDED`, with no reviewer and no way."""
    found: dict[Stage, dict[str, Counter[Decision]]] = {}
    params = {"viewer": viewer}
    for stage, who, decision, resolution, shown, n in connection.execute(_VOTES, params):
        cast = found.setdefault(Stage(stage), {})
        if mode is ScreeningMode.DUAL and not shown:
            cast.setdefault(BLINDED, Counter())[Decision.MAYBE] += int(n)  # way not kept
            continue
        key = RESOLUTIONS if resolution else who
        cast.setdefault(key, Counter())[Decision(decision)] += int(n)
    return found


RESOLUTIONS = "\x00resolutions"  # not a reviewer key: the votes dict's slot for resolutions
BLINDED = "\x00blinded"  # nor this: votes dual screening still hides, counted whole

_d = screening_decision
_LATEST = (
    sa.select(sa.func.max(_d.c.id).label("id"))
    .join(record, record.c.id == _d.c.record_id)
    .where(record.c.duplicate_of.is_(None))
    .group_by(_d.c.record_id, _d.c.stage, _d.c.reviewer_id, _d.c.resolves_conflict)
    .subquery("latest")
)
# Per record and stage: how many reviewers have a current vote, and whether a resolution
# settled it; a vote is shown once two have voted or a conflict was resolved.
_PAIRS = (
    sa.select(
        _d.c.record_id,
        _d.c.stage,
        sa.func.count(
            sa.distinct(sa.case((_d.c.resolves_conflict.is_(False), _d.c.reviewer_id)))
        ).label("voters"),
        sa.func.max(sa.case((_d.c.resolves_conflict.is_(True), 1), else_=0)).label("resolved"),
    )
    .where(_d.c.superseded.is_(False))
    .group_by(_d.c.record_id, _d.c.stage)
    .subquery("pairs")
)
_SHOWN = sa.or_(
    _PAIRS.c.voters >= 2,
    _PAIRS.c.resolved == 1,
    _d.c.reviewer_id == sa.bindparam("viewer"),
)
_VOTES = (
    sa.select(
        _d.c.stage,
        reviewer.c.key,
        _d.c.decision,
        _d.c.resolves_conflict,
        _SHOWN.label("shown"),
        sa.func.count(),
    )
    .join(_LATEST, _LATEST.c.id == _d.c.id)
    .join(reviewer, reviewer.c.id == _d.c.reviewer_id)
    .join(_PAIRS, sa.and_(_PAIRS.c.record_id == _d.c.record_id, _PAIRS.c.stage == _d.c.stage))
    .group_by(_d.c.stage, reviewer.c.key, _d.c.decision, _d.c.resolves_conflict, _SHOWN)
)


def _stage(
    stage: Stage,
    facts: list[sa.Row[Any]],
    cast: dict[str, Counter[Decision]],
    mode: ScreeningMode,
) -> StageCounts:
    """Records eligible at ``stage`` by outcome (standing records; at full text those that
    passed title and abstract), with the votes cast there."""
    outcomes: dict[Outcome, int] = {o: 0 for o in OUTCOME_ORDER}
    for r in facts:
        if r.duplicate_of is not None:
            continue
        first = _outcome(r.first)
        if stage is Stage.TITLE_ABSTRACT:
            outcomes[first] += 1
        elif first in PASSES_SCREENING:
            outcomes[_outcome(r.second)] += 1
    resolved = cast.get(RESOLUTIONS, Counter())
    return StageCounts(
        stage=stage,
        records=sum(outcomes.values()),
        outcomes=outcomes,
        votes={who: dict(c) for who, c in cast.items() if who not in (RESOLUTIONS, BLINDED)},
        resolutions=sum(resolved.values()),
        blinded=sum(cast.get(BLINDED, Counter()).values()),
    )


def _configurations(connection: Connection) -> dict[str, dict[str, int]]:
    """Topic key -> standing (untested, awaiting a verdict, or the verdict) -> n."""
    found: dict[str, Counter[str]] = {}
    for key, verdict, excerpts in connection.execute(_CONFIGURATIONS):
        state = standing(Verdict(verdict) if verdict else None, int(excerpts))
        found.setdefault(key, Counter())[state.value] += 1
    return {key: dict(sorted(c.items())) for key, c in found.items()}


_CONFIGURATIONS = (
    sa.select(topic.c.key, configuration.c.verdict, sa.func.count(sa.distinct(coding.c.excerpt_id)))
    .join(topic, topic.c.id == configuration.c.topic_id)
    .outerjoin(coding, coding.c.configuration_id == configuration.c.id)
    .group_by(configuration.c.id, topic.c.key, configuration.c.verdict)
    .order_by(topic.c.key)
)


def _record_flows(facts: list[sa.Row[Any]], reasons: dict[int, str]) -> list[RecordFlow]:
    """One fact per imported record (records entered by hand, such as the demo's included
    studies, are not search results and stay out of the flow)."""
    return [
        RecordFlow(
            source=r.name,
            kind=SourceKind(r.kind),
            removed=r.duplicate_of is not None,
            title_abstract=_outcome(r.first),
            full_text=_outcome(r.second),
            reason=reasons.get(r.id),
        )
        for r in facts
        if r.batch_id is not None and r.name is not None
    ]


def _exclusion_reasons(connection: Connection, ids: list[int]) -> dict[int, str]:
    """The criterion each full-text exclusion cites: that of the latest excluding decision
    on the record (a conflict resolution's, when one settled it)."""
    reasons: dict[int, str] = {}
    d = screening_decision
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        for record_id, text in connection.execute(
            sa.select(d.c.record_id, criterion.c.text)
            .join(criterion, criterion.c.id == d.c.criterion_id)
            .where(
                d.c.stage == Stage.FULL_TEXT,
                d.c.decision == Decision.EXCLUDE,
                d.c.record_id.in_(chunk),
            )
            .order_by(d.c.resolves_conflict, d.c.id)
        ):
            reasons[record_id] = text
    return reasons


def _flow(
    connection: Connection,
    rows: list[sa.Row[Any]],
    documents: list[Document],
    interventions: int,
    manual: dict[str, int | None],
) -> PrismaCounts:
    sources = [(r.name, SourceKind(r.kind)) for r in connection.execute(_SOURCES)]
    excluded = [r.id for r in rows if r.second == Outcome.EXCLUDED.value and r.batch_id]
    facts = _record_flows(rows, _exclusion_reasons(connection, excluded) if excluded else {})
    studies = interventions or None
    if facts:
        computed = flow_counts(facts, sources, studies=studies)
    else:
        # No search results imported (a review entered from its reference list, like the
        # demo): only the included box can be known, from the documents.
        included = sum(1 for d in documents if d.status is DocumentStatus.INCLUDED)
        computed = PrismaCounts(
            **_named_sources(sources),  # type: ignore[arg-type]
            new_reports=included or None,
            new_studies=studies,
        )
    return dataclasses.replace(computed, **manual)  # type: ignore[arg-type]


_SOURCES = sa.select(source.c.name, source.c.kind).where(SOURCE_VISIBLE).order_by(source.c.id)


def _named_sources(sources: list[tuple[str, SourceKind]]) -> dict[str, dict[str, int | None]]:
    """Every named source with an unknown count, so a diagram still lists it."""
    named: dict[str, dict[str, int | None]] = defaultdict(dict)
    for name, kind in sources:
        box = BOXES[kind]
        if box in NAMED_BOXES:
            named[f"{box}_specific_results"][name] = None
    return dict(named)


def _manual(connection: Connection) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for name, value in reviews_repo.get_flow_counts(connection).items():
        box = FLOW_ALIASES.get(name, name)
        if box in SETTABLE and value is not None:
            found[box] = value
    return found


def votes_total(stage: StageCounts) -> Counter[Decision]:
    """All reviewers' votes at a stage, by decision."""
    total: Counter[Decision] = Counter()
    for cast in stage.votes.values():
        total.update(cast)
    return total
