"""Screening: decisions with reasons, single or dual (blinded) screening, conflicts,
agreement, and the next record to show a reviewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.documents import Document
from realist.domain.identifiers import segment_problem
from realist.domain.records import Record
from realist.domain.review import ReviewerRole
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
    blinded,
    revealed,
    settle,
)
from realist.errors import InvalidInput, NotAllowed, NotFound
from realist.services.leases import hand_out, hold
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.batches import UNFINISHED, VISIBLE
from realist.store.events import append_event
from realist.store.schema import record as record_table
from realist.store.schema import review as review_table
from realist.store.schema import reviewer as reviewer_table
from realist.store.schema import screening_decision

# Records that go on to full-text screening: included, or left as maybe, at title/abstract.
GOES_TO_FULL_TEXT = (Outcome.INCLUDED, Outcome.MAYBE)


_MODE = sa.select(review_table.c.screening_mode)  # built once: read on every decision


def _mode(connection: Connection) -> ScreeningMode:
    return ScreeningMode(connection.execute(_MODE).scalar_one())


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
    undecided by anyone and not handed to another reviewer (their lease: see
    :mod:`realist.services.leases`); None when the reviewer's queue is empty.

    With ``after``, the first such record after that one, going round to the start of the
    queue when there is none after it: how a reviewer skips a record for now, and why
    deciding costs the same on the first record as on the ten-thousandth.
    """
    return screening_view(store, stage, reviewer, after).next


def screening_view(
    store: Store, stage: Stage, reviewer: str | None, after: int | None = None
) -> ScreeningView:
    """What a screening page shows (see :func:`next_record` for ``after``), in one read;
    in single mode, one transaction that leases the record handed out to the reviewer."""
    with store.reading() as connection:
        mode = _mode(connection)
        if mode is ScreeningMode.DUAL:  # nothing is written: this read is the whole view
            return _view(connection, stage, reviewer, after, mode)
    with store.transaction() as connection:
        return _view(connection, stage, reviewer, after, _mode(connection))


def _view(
    connection: Connection,
    stage: Stage,
    reviewer: str | None,
    after: int | None,
    mode: ScreeningMode,
) -> ScreeningView:
    return ScreeningView(
        next=_next(connection, stage, reviewer, after, mode),
        mode=mode,
        criteria=[c for c in reviews_repo.list_criteria(connection) if not c.retired],
        terms=screening_repo.list_terms(connection),
    )


_ROLE = sa.select(reviewer_table.c.role).where(reviewer_table.c.id == sa.bindparam("id"))


def _screens(connection: Connection, who: int) -> bool:
    """Whether the reviewer may screen (a viewer only looks: their queue leases nothing)."""
    role = connection.execute(_ROLE, {"id": who}).scalar()
    return role is not None and ReviewerRole(role) is not ReviewerRole.VIEWER


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

    def first_free(held: set[int], start: int | None) -> int | None:
        free = [rid for rid in queue if rid not in held]
        later = [rid for rid in free if start is not None and rid > start]
        found = later or free
        return found[0] if found else None

    if single and _screens(connection, who):
        chosen = hand_out(connection, stage, who, after, first_free)
    else:
        chosen = first_free(set(), after)
    if chosen is None:
        return NextRecord(None, progress)
    return NextRecord(
        records_repo.get_record(connection, chosen),
        progress,
        documents_repo.document_for_record(connection, chosen),
    )


def _next_by_query(connection: Connection, who: int, single: bool, after: int | None) -> NextRecord:
    """Title/abstract screening, where every standing record is eligible: the queue and
    progress are counted by the database from indexes, so a decision costs the same with
    10 or 100,000 decisions already made (the web's ten-reviewers load depends on it)."""
    total = int(connection.execute(_STANDING).scalar() or 0)
    done = int(connection.execute(_DECIDED_BY, {"who": who}).scalar() or 0)
    left = total - (int(connection.execute(_DECIDED).scalar() or 0) if single else done)
    progress = Progress(done=done, total=done + left)

    def first_free(held: set[int], start: int | None) -> int | None:
        params = {"who": who, "after": start if start is not None else -1, "held": list(held)}
        found = None
        if start is not None:
            found = connection.execute(_QUEUE[single, True], params).scalar()
        if found is None:
            found = connection.execute(_QUEUE[single, False], params).scalar()
        return None if found is None else int(found)

    if single and _screens(connection, who):
        first = hand_out(connection, Stage.TITLE_ABSTRACT, who, after, first_free)
    else:
        first = first_free(set(), after)
    if first is None:
        return NextRecord(None, progress)
    return NextRecord(records_repo.get_record(connection, first), progress)


# The queue's statements, built once (building them cost more than running them on SQLite;
# see store.reviews): ``who`` is the reviewer's id, ``after`` a record id.
# Standing: not merged away, and not in an import still being written (store.batches).
_STANDING_RECORD = sa.and_(record_table.c.duplicate_of.is_(None), VISIBLE)
_AT_TITLE_ABSTRACT = screening_decision.c.stage == Stage.TITLE_ABSTRACT
_BY_WHO = screening_decision.c.reviewer_id == sa.bindparam("who")
# Counted as "not merged away" minus "in an unfinished import": each part is read from one
# index, where counting with the VISIBLE test read every whole record (on SQLite 210 ms
# instead of 5 for a 100,000-record review, on every decision).
_STANDING = sa.select(
    sa.select(sa.func.count())
    .select_from(record_table)
    .where(record_table.c.duplicate_of.is_(None))
    .scalar_subquery()
    # (A record of an unfinished import is never merged: dedup only sees visible ones.)
    - sa.select(sa.func.count())
    .select_from(record_table)
    .where(record_table.c.batch_id.in_(UNFINISHED))
    .scalar_subquery()
)
# Counted from the decisions (a reviewer's, or everyone's) rather than by asking each
# record: that is the size of the work done, not of the whole search.
_DECIDED = (
    sa.select(sa.func.count(sa.distinct(screening_decision.c.record_id)))
    .select_from(
        screening_decision.join(record_table, record_table.c.id == screening_decision.c.record_id)
    )
    # Not merged away; no decision is ever on a record of an unfinished import (deciding
    # one is refused, and an import's own decisions arrive as it completes), so the VISIBLE
    # test is left out: with it SQLite asked about every record, not every decision.
    .where(_AT_TITLE_ABSTRACT, record_table.c.duplicate_of.is_(None))
)
_DECIDED_BY = _DECIDED.where(_BY_WHO)


def _waiting(single: bool, after: bool) -> sa.Select[int]:
    """The first standing record nobody (single) or this reviewer (dual) has decided, with
    ``after``: among those after record ``after``."""
    # With ``after`` the decisions are bounded the same way as the records: PostgreSQL's
    # merge anti-join then starts at ``after`` instead of reading every decision before it
    # (2 ms per decision at 2,000 decisions, growing with the review).
    decided = sa.exists().where(
        screening_decision.c.record_id == record_table.c.id,
        _AT_TITLE_ABSTRACT,
        *(() if single else (_BY_WHO,)),
        *((screening_decision.c.record_id > sa.bindparam("after"),) if after else ()),
    )
    later = (record_table.c.id > sa.bindparam("after"),) if after else ()
    # Single mode: not a record another reviewer holds (services.leases).
    free = (record_table.c.id.not_in(sa.bindparam("held", expanding=True)),) if single else ()
    return (
        sa.select(record_table.c.id)
        .where(_STANDING_RECORD, ~decided, *later, *free)
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
    """Record a reviewer's decision on one record at one stage (saved at once).

    Refused (:class:`NotAllowed`) in dual screening when the reviewer decided the record
    already and the other vote is in too (both are shown from then on, so a changed vote
    would no longer be blind); refused (:class:`InvalidInput`) in single screening when
    someone else has decided the record (one decision settles it: nothing is overwritten
    unknowingly)."""
    with store.transaction() as connection:
        return _screen(connection, record_id, stage, decision, reviewer, criterion, note)[0]


def _screen(
    connection: Connection,
    record_id: int,
    stage: Stage,
    decision: Decision,
    reviewer: str | None,
    criterion: str | None,
    note: str,
) -> tuple[ScreeningDecision, ScreeningDecision | None]:
    """The decision saved, and the reviewer's earlier one there that it replaced."""
    key, who = reviews_repo.resolve_reviewer(connection, reviewer)
    # Read, check and write with nobody else deciding this record meanwhile (any process).
    screening_repo.lock_record(connection, record_id)
    if not _is_eligible(connection, record_id, stage):
        raise InvalidInput(_why_not_eligible(connection, record_id, stage))
    before = screening_repo.list_decisions(connection, stage, record_id)
    earlier = [d for d in before if d.reviewer_key == key and not d.resolves_conflict]
    _check_may_decide(connection, record_id, stage, key, before, bool(earlier))
    item = ScreeningDecision(record_id, stage, decision, key, criterion, note)
    # A decision made again replaces the reviewer's earlier one (their latest counts); the
    # audit trail says what it replaced.
    changed = {"changed_from": earlier[-1].decision.value} if earlier else {}
    saved = _save(connection, item, who, "screening.decided", changed)
    screening_repo.release_lease(connection, record_id, stage)
    return saved, earlier[-1] if earlier else None


def _check_may_decide(
    connection: Connection,
    record_id: int,
    stage: Stage,
    key: str,
    before: list[ScreeningDecision],
    again: bool,
) -> None:
    where = f"record {record_id} at {_STAGE_WORDS[stage]}"
    if _mode(connection) is ScreeningMode.DUAL:
        if again and revealed(before):
            raise NotAllowed(
                f"{where}: both votes are in, so yours can no longer be changed (dual "
                "screening is blind only until both have decided); a disagreement goes "
                "to a third reviewer or an owner (realist conflicts)"
            )
        return
    others = [d for d in before if d.reviewer_key != key]
    if others:
        # Single screening: one decision settles a record, so a second person's is refused
        # rather than silently replacing the first (two people screening at once).
        last = others[-1]
        did = "resolved it" if last.resolves_conflict else "screened it"
        raise InvalidInput(
            f"{where}: {last.reviewer_key} already {did} ({last.decision.value}), and in "
            "single screening one decision settles a record; yours was not saved. "
            f"{last.reviewer_key} can change theirs, or an owner can switch to dual "
            "screening (realist screening-mode dual)"
        )


_STAGE_WORDS = {Stage.TITLE_ABSTRACT: "title/abstract", Stage.FULL_TEXT: "full text"}


@dataclass
class Decided:
    """A decision just saved, and the reviewer's own earlier decision there that it
    replaces (if any). Never the others' decisions: an answer to a decision must not
    reveal another reviewer's vote (dual screening is blind)."""

    decision: ScreeningDecision
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
    """:func:`screen`, saying which earlier decision of the reviewer's it replaced."""
    with store.transaction() as connection:
        saved, previous = _screen(connection, record_id, stage, decision, reviewer, criterion, note)
        return Decided(saved, previous)


def _save(
    connection: Connection,
    item: ScreeningDecision,
    who: int,
    action: str,
    extra: Mapping[str, object] | None = None,
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
    record_table.c.id == sa.bindparam("id"), VISIBLE
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
    """Take back the reviewer's most recent decision at ``stage``; the event log keeps it.

    Refused (:class:`NotAllowed`) in dual screening once another reviewer has decided that
    record too: both votes are shown from then on, and deciding, reading the other's vote,
    taking one's own back and deciding again would defeat the blinding."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        last = screening_repo.latest_decision(connection, stage, who)
        if last is None:
            return None
        screening_repo.lock_record(connection, last.record_id)
        last = screening_repo.latest_decision(connection, stage, who)  # as of the lock
        if last is None:
            return None
        assert last.id is not None
        on_record = screening_repo.list_decisions(connection, stage, last.record_id)
        if _mode(connection) is ScreeningMode.DUAL and revealed(on_record):
            raise NotAllowed(
                f"your latest decision (record {last.record_id}, {last.decision.value}) can "
                "no longer be taken back: another reviewer has decided that record too, and "
                "both votes are shown from then on; a disagreement goes to a third reviewer "
                "or an owner (realist conflicts)"
            )
        screening_repo.delete_decision(connection, last.id)
        if _mode(connection) is ScreeningMode.SINGLE:
            hold(connection, last.record_id, stage, who)  # the record taken back is theirs next
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
    """Decisions on a record a reviewer may see: in dual mode, none until the reviewer has
    decided it or two reviewers have (:func:`realist.domain.screening.blinded`)."""
    with store.reading() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        items = screening_repo.list_decisions(connection, stage, record_id)
        return [] if blinded(items, _mode(connection), key) else items


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
    """Settle a conflict; the resolution is recorded with who resolved it.

    A conflict is resolved by someone who did not vote on it: a third reviewer or an
    owner. A party to it is refused (:class:`NotAllowed`), whatever their role: otherwise
    one of two reviewers could overrule the other alone."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        screening_repo.lock_record(connection, record_id)  # one resolution, whatever races
        # Settled from this record's decisions alone, not every decision at the stage.
        mine = screening_repo.list_decisions(connection, stage, record_id)
        if settle(mine, _mode(connection)) is not Outcome.CONFLICT:
            raise InvalidInput(f"record {record_id} has no conflict at {stage.value}")
        parties = sorted({d.reviewer_key for d in mine if not d.resolves_conflict})
        if key in parties:
            raise NotAllowed(
                f"{key} voted on record {record_id} at {_STAGE_WORDS[stage]} (the conflict "
                f"is between {' and '.join(parties)}): a conflict is resolved by a third "
                "reviewer or an owner who did not vote on it, never by one of its parties"
            )
        item = ScreeningDecision(record_id, stage, decision, key, criterion, note, True)
        return _save(connection, item, who, "screening.resolved", {"parties": parties})


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
