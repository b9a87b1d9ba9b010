"""Screening: decisions with reasons, single or dual (blinded) screening, conflicts,
agreement, and the next record to show a reviewer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.documents import Document
from realist.domain.identifiers import segment_problem
from realist.domain.records import Record
from realist.domain.screening import (
    Agreement,
    CriterionKind,
    Decision,
    EligibilityCriterion,
    Outcome,
    ScreeningDecision,
    ScreeningMode,
    Stage,
    agreement,
    settle,
)
from realist.errors import InvalidInput, NotFound
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.events import append_event
from realist.store.schema import record as record_table
from realist.store.schema import review as review_table
from realist.store.schema import screening_decision

# Records that go on to full-text screening: included, or left as maybe, at title/abstract.
GOES_TO_FULL_TEXT = (Outcome.INCLUDED, Outcome.MAYBE)


def _mode(connection: Connection) -> ScreeningMode:
    return reviews_repo.get_review(connection).screening_mode


def screening_mode(store: Store) -> ScreeningMode:
    """Single or dual (blinded) screening."""
    with store.reading() as connection:
        return _mode(connection)


def outcomes(connection: Connection, stage: Stage) -> dict[int, Outcome]:
    """Where every record with at least one decision at ``stage`` stands."""
    mode = _mode(connection)
    by_record: dict[int, list[ScreeningDecision]] = defaultdict(list)
    for item in screening_repo.list_decisions(connection, stage):
        by_record[item.record_id].append(item)
    return {rid: settle(items, mode) for rid, items in by_record.items()}


def _eligible_ids(connection: Connection, stage: Stage) -> list[int]:
    """Records that can be screened at ``stage``: standing (not merged duplicates), and for
    full text, through title/abstract (settled in SQL: reading every title/abstract
    decision into Python cost most of a second per full-text decision at 100k records)."""
    query = sa.select(record_table.c.id).where(_STANDING_RECORD).order_by(record_table.c.id)
    if stage is not Stage.TITLE_ABSTRACT:
        passed = screening_repo.settled_query(Stage.TITLE_ABSTRACT, _mode(connection)).subquery()
        wanted = [outcome.value for outcome in GOES_TO_FULL_TEXT]
        query = query.join(passed, passed.c.record_id == record_table.c.id).where(
            passed.c.outcome.in_(wanted)
        )
    return [int(r[0]) for r in connection.execute(query)]


@dataclass
class Progress:
    done: int  # records this reviewer has decided at this stage
    total: int  # records this reviewer can screen at this stage


@dataclass
class NextRecord:
    record: Record | None
    progress: Progress
    full_text: Document | None = None  # at full text: the document attached to the record


@dataclass
class ScreeningView:
    """All a screening page shows, read at one moment: the next record and progress, the
    mode, the criteria and the highlight terms."""

    next: NextRecord
    mode: ScreeningMode
    criteria: list[EligibilityCriterion]
    terms: dict[CriterionKind, list[str]]


def next_record(
    store: Store, stage: Stage, reviewer: str | None, after: int | None = None
) -> NextRecord:
    """The next record for a reviewer: eligible, undecided by them, and (in single mode)
    undecided by anyone; None when the reviewer's queue is empty.

    With ``after``, the first such record after that one, going round to the start of the
    queue when there is none after it: how a reviewer skips a record for now, and why
    deciding costs the same on the first record as on the ten-thousandth.
    """
    with store.reading() as connection:
        return _next(connection, stage, reviewer, after)


def screening_view(
    store: Store, stage: Stage, reviewer: str | None, after: int | None = None
) -> ScreeningView:
    """What a screening page shows (see :func:`next_record` for ``after``), in one read."""
    with store.reading() as connection:
        mode = _mode(connection)
        return ScreeningView(
            next=_next(connection, stage, reviewer, after, mode),
            mode=mode,
            criteria=[c for c in reviews_repo.list_criteria(connection) if not c.retired],
            terms=screening_repo.list_terms(connection),
        )


def _next(
    connection: Connection,
    stage: Stage,
    reviewer: str | None,
    after: int | None,
    mode: ScreeningMode | None = None,
) -> NextRecord:
    _, who = reviews_repo.resolve_reviewer(connection, reviewer)
    single = (mode or _mode(connection)) is ScreeningMode.SINGLE
    if stage is Stage.TITLE_ABSTRACT:
        return _next_by_query(connection, who, single, after)
    eligible = _eligible_ids(connection, stage)
    mine = screening_repo.decided_record_ids(connection, stage, who)
    settled = outcomes(connection, stage)
    queue = [rid for rid in eligible if rid not in mine and not (single and rid in settled)]
    done = sum(1 for rid in eligible if rid in mine)
    progress = Progress(done=done, total=done + len(queue))
    if not queue:
        return NextRecord(None, progress)
    later = [rid for rid in queue if after is not None and rid > after]
    chosen = (later or queue)[0]
    return NextRecord(
        records_repo.get_record(connection, chosen),
        progress,
        documents_repo.document_for_record(connection, chosen),
    )


def _next_by_query(connection: Connection, who: int, single: bool, after: int | None) -> NextRecord:
    """Title/abstract screening, where every standing record is eligible: the queue and
    progress are counted by the database from indexes, so a decision costs the same with
    10 or 100,000 decisions already made (the web's ten-reviewers load depends on it)."""
    params = {"who": who, "after": after if after is not None else -1}
    total = int(connection.execute(_STANDING).scalar() or 0)
    done = int(connection.execute(_DECIDED_BY, params).scalar() or 0)
    left = total - (int(connection.execute(_DECIDED).scalar() or 0) if single else done)
    first: int | None = None
    if after is not None:
        first = connection.execute(_QUEUE[single, True], params).scalar()
    if first is None:
        first = connection.execute(_QUEUE[single, False], params).scalar()
    progress = Progress(done=done, total=done + left)
    if first is None:
        return NextRecord(None, progress)
    return NextRecord(records_repo.get_record(connection, first), progress)


# The queue's statements, built once (building them cost more than running them on SQLite;
# see store.reviews): ``who`` is the reviewer's id, ``after`` a record id.
_STANDING_RECORD = record_table.c.duplicate_of.is_(None)
_AT_TITLE_ABSTRACT = screening_decision.c.stage == Stage.TITLE_ABSTRACT
_BY_WHO = screening_decision.c.reviewer_id == sa.bindparam("who")
_STANDING = sa.select(sa.func.count()).select_from(record_table).where(_STANDING_RECORD)
# Counted from the decisions (a reviewer's, or everyone's) rather than by asking each
# record: that is the size of the work done, not of the whole search.
_DECIDED = (
    sa.select(sa.func.count(sa.distinct(screening_decision.c.record_id)))
    .select_from(
        screening_decision.join(record_table, record_table.c.id == screening_decision.c.record_id)
    )
    .where(_AT_TITLE_ABSTRACT, _STANDING_RECORD)
)
_DECIDED_BY = _DECIDED.where(_BY_WHO)


def _waiting(single: bool, after: bool) -> sa.Select[int]:
    """The first standing record nobody (single) or this reviewer (dual) has decided, with
    ``after``: among those after record ``after``."""
    decided = sa.exists().where(
        screening_decision.c.record_id == record_table.c.id,
        _AT_TITLE_ABSTRACT,
        *(() if single else (_BY_WHO,)),
    )
    later = (record_table.c.id > sa.bindparam("after"),) if after else ()
    return (
        sa.select(record_table.c.id)
        .where(_STANDING_RECORD, ~decided, *later)
        .order_by(record_table.c.id)
        .limit(1)
    )


_QUEUE = {
    (single, after): _waiting(single, after) for single in (True, False) for after in (True, False)
}


def screen(
    store: Store,
    record_id: int,
    stage: Stage,
    decision: Decision,
    reviewer: str | None,
    criterion: str | None = None,
    note: str = "",
) -> ScreeningDecision:
    """Record a reviewer's decision on one record at one stage (saved at once)."""
    with store.transaction() as connection:
        return _screen(connection, record_id, stage, decision, reviewer, criterion, note)


def _screen(
    connection: Connection,
    record_id: int,
    stage: Stage,
    decision: Decision,
    reviewer: str | None,
    criterion: str | None,
    note: str,
) -> ScreeningDecision:
    key, who = reviews_repo.resolve_reviewer(connection, reviewer)
    if not _is_eligible(connection, record_id, stage):
        raise InvalidInput(_why_not_eligible(connection, record_id, stage))
    item = ScreeningDecision(record_id, stage, decision, key, criterion, note)
    earlier = [
        d
        for d in screening_repo.list_decisions(connection, stage, record_id)
        if d.reviewer_key == key and not d.resolves_conflict
    ]
    # A decision made again replaces the reviewer's earlier one (their latest counts); the
    # audit trail says what it replaced.
    changed = {"changed_from": earlier[-1].decision.value} if earlier else {}
    return _save(connection, item, who, "screening.decided", changed)


@dataclass
class Decided:
    """A decision just saved, the others' decisions on the record it may now see, and the
    reviewer's own earlier decision there that it replaces (if any)."""

    decision: ScreeningDecision
    others: list[ScreeningDecision]
    previous: ScreeningDecision | None = None


def decide(
    store: Store,
    record_id: int,
    stage: Stage,
    decision: Decision,
    reviewer: str | None,
    criterion: str | None = None,
    note: str = "",
) -> Decided:
    """:func:`screen`, and what the other reviewers decided on the record (in dual mode
    hidden until now, since this reviewer has decided too), in one transaction."""
    with store.transaction() as connection:
        before = screening_repo.list_decisions(connection, stage, record_id)
        saved = _screen(connection, record_id, stage, decision, reviewer, criterion, note)
        mine = [d for d in before if d.reviewer_key == saved.reviewer_key]
        others = [
            d for d in before if d.reviewer_key != saved.reviewer_key and not d.resolves_conflict
        ]
        previous = next((d for d in reversed(mine) if not d.resolves_conflict), None)
        return Decided(saved, others, previous)


def _save(
    connection: Connection,
    item: ScreeningDecision,
    who: int,
    action: str,
    extra: dict[str, str] | None = None,
) -> ScreeningDecision:
    """Store a decision and its event in the caller's transaction."""
    item.id = screening_repo.insert_decision(connection, item, who)
    append_event(
        connection,
        action,
        item.reviewer_key,
        f"record:{item.record_id}",
        {
            "stage": item.stage.value,
            "decision": item.decision.value,
            "criterion": item.criterion_code,
            **(extra or {}),
        },
    )
    return item


_DUPLICATE_OF = sa.select(record_table.c.duplicate_of).where(
    record_table.c.id == sa.bindparam("id")
)


def _is_eligible(connection: Connection, record_id: int, stage: Stage) -> bool:
    """One record's eligibility, without loading every record or decision."""
    found = connection.execute(_DUPLICATE_OF, {"id": record_id}).first()
    if found is None or found.duplicate_of is not None:
        return False
    if stage is Stage.TITLE_ABSTRACT:
        return True
    decisions = screening_repo.list_decisions(connection, Stage.TITLE_ABSTRACT, record_id)
    return settle(decisions, _mode(connection)) in GOES_TO_FULL_TEXT


def _why_not_eligible(connection: Connection, record_id: int, stage: Stage) -> str:
    found = records_repo.find_record(connection, record_id)
    if found is None:
        return f"no record {record_id} in this review"
    if found.duplicate_of is not None:
        return f"record {record_id} is a duplicate of record {found.duplicate_of}"
    return f"record {record_id} has not passed title/abstract screening"


def undo_last(store: Store, stage: Stage, reviewer: str | None) -> ScreeningDecision | None:
    """Take back the reviewer's most recent decision at ``stage``; the event log keeps it."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        last = screening_repo.latest_decision(connection, stage, who)
        if last is None:
            return None
        assert last.id is not None
        screening_repo.delete_decision(connection, last.id)
        append_event(
            connection,
            "screening.undone",
            key,
            f"record:{last.record_id}",
            {"stage": stage.value, "decision": last.decision.value},
        )
        return last


def visible_decisions(
    store: Store, record_id: int, stage: Stage, reviewer: str | None
) -> list[ScreeningDecision]:
    """Decisions on a record a reviewer may see: in dual mode, others' stay hidden until
    the reviewer has made their own (independent screening)."""
    with store.reading() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        items = screening_repo.list_decisions(connection, stage, record_id)
        if _mode(connection) is ScreeningMode.DUAL and all(d.reviewer_key != key for d in items):
            return []
        return items


def conflicts(store: Store, stage: Stage) -> list[tuple[Record, list[ScreeningDecision]]]:
    """Records where two reviewers disagree, with their decisions (the conflicts queue)."""
    with store.reading() as connection:
        found = [rid for rid, o in outcomes(connection, stage).items() if o is Outcome.CONFLICT]
        return [
            (
                records_repo.get_record(connection, rid),
                screening_repo.list_decisions(connection, stage, rid),
            )
            for rid in sorted(found)
        ]


def resolve_conflict(
    store: Store,
    record_id: int,
    stage: Stage,
    decision: Decision,
    reviewer: str | None,
    criterion: str | None = None,
    note: str = "",
) -> ScreeningDecision:
    """Settle a conflict; the resolution is recorded with who resolved it."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        # Settled from this record's decisions alone, not every decision at the stage.
        mine = screening_repo.list_decisions(connection, stage, record_id)
        if settle(mine, _mode(connection)) is not Outcome.CONFLICT:
            raise InvalidInput(f"record {record_id} has no conflict at {stage.value}")
        item = ScreeningDecision(record_id, stage, decision, key, criterion, note, True)
        return _save(connection, item, who, "screening.resolved")


def agreement_report(store: Store) -> list[Agreement]:
    """Percentage agreement and Cohen's kappa per stage and reviewer pair."""
    report = []
    with store.reading() as connection:
        for stage in Stage:
            latest: dict[str, dict[int, Decision]] = defaultdict(dict)
            for d in screening_repo.list_decisions(connection, stage):
                if not d.resolves_conflict:
                    latest[d.reviewer_key][d.record_id] = d.decision
            for first, second in combinations(sorted(latest), 2):
                shared = sorted(set(latest[first]) & set(latest[second]))
                if shared:
                    pairs = [(latest[first][r], latest[second][r]) for r in shared]
                    report.append(agreement(stage, first, second, pairs))
    return report


def set_screening_mode(store: Store, mode: ScreeningMode, reviewer: str | None) -> None:
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        connection.execute(review_table.update().values(screening_mode=mode))
        append_event(connection, "screening.mode_set", key, "review", {"mode": mode.value})


def add_criterion(
    store: Store, code: str, dimension: str, kind: CriterionKind, text: str, reviewer: str | None
) -> EligibilityCriterion:
    """Add an eligibility criterion that decisions can cite by its code."""
    if not code.strip() or not text.strip():
        raise InvalidInput("a criterion needs a code and a text")
    problem = segment_problem(code, "criterion code")
    if problem:
        raise InvalidInput(problem)
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        existing = reviews_repo.list_criteria(connection)
        if any(c.code == code for c in existing):
            raise InvalidInput(f"criterion code '{code}' is already used")
        item = EligibilityCriterion(code, dimension, kind, text, position=len(existing))
        reviews_repo.insert_criteria(connection, [item])
        append_event(connection, "criterion.added", key, f"criterion:{code}", {"text": text})
        return item


def criteria(store: Store, *, retired: bool = False) -> list[EligibilityCriterion]:
    """The criteria a decision may cite; with ``retired``, also those retired (which
    earlier decisions still cite: lists and Table 1 show them, menus do not)."""
    with store.reading() as connection:
        return [c for c in reviews_repo.list_criteria(connection) if retired or not c.retired]


def add_highlight_terms(
    store: Store, terms: list[str], kind: CriterionKind, reviewer: str | None
) -> int:
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        added = screening_repo.add_terms(connection, [t.strip() for t in terms], kind)
        append_event(connection, "terms.added", key, "review", {"kind": kind.value, "terms": terms})
        return added


def highlight_terms(store: Store) -> dict[CriterionKind, list[str]]:
    with store.reading() as connection:
        return screening_repo.list_terms(connection)


def require_criterion(store: Store, code: str) -> None:
    """Raise NotFound naming the known codes when ``code`` is not a criterion."""
    known = [c.code for c in criteria(store)]
    if code not in known:
        raise NotFound(f"no criterion '{code}' (known: {', '.join(known) or 'none'})")
