"""Screening: decisions with reasons, single or dual (blinded) screening, conflicts,
agreement, and the next record to show a reviewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

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
    blinded,
    revealed,
    settle,
)
from realist.errors import InvalidInput, NotAllowed, NotFound
from realist.services import prioritising, screening_queue
from realist.services.leases import hold
from realist.services.prioritising import QueueOrder
from realist.services.ranking_reasons import why
from realist.services.screening_queue import GOES_TO_FULL_TEXT as GOES_TO_FULL_TEXT
from realist.services.screening_queue import NextRecord
from realist.store import Store
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.batches import VISIBLE
from realist.store.events import append_event
from realist.store.schema import record as record_table
from realist.store.schema import review as review_table

_MODE = sa.select(review_table.c.screening_mode)  # built once: read on every decision


def _mode(connection: Connection) -> ScreeningMode:
    return ScreeningMode(connection.execute(_MODE).scalar_one())


def screening_mode(store: Store) -> ScreeningMode:
    """Single or dual (blinded) screening."""
    with store.reading() as connection:
        return _mode(connection)


def outcomes(connection: Connection, stage: Stage) -> dict[int, Outcome]:
    """Where every record with at least one decision at ``stage`` stands."""
    return screening_queue.outcomes(connection, stage, _mode(connection))


@dataclass
class ScreeningView:
    """All a screening page shows, read at one moment: the next record and progress, the
    mode, the criteria and the highlight terms."""

    next: NextRecord
    mode: ScreeningMode
    criteria: list[EligibilityCriterion]
    terms: dict[CriterionKind, list[str]]
    order: QueueOrder  # how the reviewer's queue is ordered (and the ranking it uses)


def next_record(
    store: Store, stage: Stage, reviewer: str | None, after: int | None = None
) -> NextRecord:
    """The next record for a reviewer: eligible, undecided by them, and (in single mode)
    undecided by anyone and not handed to another reviewer (their lease: see
    :mod:`realist.services.leases`); None when the reviewer's queue is empty. Which one
    comes first is the queue's order (prioritised, file or random: see
    :mod:`realist.services.screening_queue`); ``why`` says why it comes now.

    With ``after``, the first such record after that one in the queue's order, going round
    to the start of the queue when there is none after it: how a reviewer skips a record
    for now, and why deciding costs the same on the first record as on the ten-thousandth.
    """
    return screening_view(store, stage, reviewer, after).next


def screening_view(
    store: Store, stage: Stage, reviewer: str | None, after: int | None = None
) -> ScreeningView:
    """What a screening page shows (see :func:`next_record` for ``after``), in one read;
    in single mode, one transaction that leases the record handed out to the reviewer.
    The queue's order is read in the first (on a small review its ranking may be made
    then, never inside the transaction)."""
    with store.reading() as connection:
        mode = _mode(connection)
        _, who = reviews_repo.resolve_reviewer(connection, reviewer)
        order = prioritising.queue_order_in(connection, store, stage, reviewer, who, mode)
        if mode is ScreeningMode.DUAL:  # nothing is written: this read is the whole view
            view = _view(connection, stage, reviewer, after, mode, order)
    if mode is not ScreeningMode.DUAL:
        with store.transaction() as connection:
            view = _view(connection, stage, reviewer, after, _mode(connection), order)
    record = view.next.record
    if record is not None:
        view.next.why = why(order, record, view.mode)
    return view


def _view(
    connection: Connection,
    stage: Stage,
    reviewer: str | None,
    after: int | None,
    mode: ScreeningMode,
    order: QueueOrder,
) -> ScreeningView:
    _, who = reviews_repo.resolve_reviewer(connection, reviewer)
    return ScreeningView(
        next=screening_queue.next_in_queue(connection, stage, who, after, mode, order.ranking),
        mode=mode,
        criteria=[c for c in reviews_repo.list_criteria(connection) if not c.retired],
        terms=screening_repo.list_terms(connection),
        order=order,
    )


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
        saved = _screen(connection, record_id, stage, decision, reviewer, criterion, note)[0]
    # After the commit: a refit never delays it.
    prioritising.decided(store, stage, reviewer, record_id)
    return saved


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
    prioritising.decided(store, stage, reviewer, record_id)
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
    undone = _undo_last(store, stage, reviewer)
    if undone is not None:
        prioritising.decided(store, stage, reviewer, undone.record_id, taken_back=True)
    return undone


def _undo_last(store: Store, stage: Stage, reviewer: str | None) -> ScreeningDecision | None:
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
        saved = _save(connection, item, who, "screening.resolved", {"parties": parties})
    prioritising.decided(store, stage, reviewer)
    return saved


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
