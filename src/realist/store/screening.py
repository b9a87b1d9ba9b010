"""Repository for screening decisions."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.screening import (
    CriterionKind,
    Decision,
    Outcome,
    ScreeningDecision,
    ScreeningMode,
    Stage,
)
from realist.errors import InvalidInput, NotFound
from realist.store.events import now
from realist.store.schema import (
    criterion,
    highlight_term,
    inserted_id,
    record,
    reviewer,
    screening_decision,
    screening_lease,
)


def insert_decision(connection: Connection, item: ScreeningDecision, reviewer_id: int) -> int:
    """Store a decision after checking the domain's rules; the reason must be a criterion."""
    problems = item.problems()
    if problems:
        raise InvalidInput(f"record {item.record_id}: {problems[0]}")
    criterion_id = None
    if item.criterion_code:
        cited = connection.execute(
            sa.select(criterion.c.id, criterion.c.retired).where(
                criterion.c.code == item.criterion_code
            )
        ).first()
        if cited is None:
            raise NotFound(f"no eligibility criterion '{item.criterion_code}'")
        if cited.retired:
            raise InvalidInput(f"criterion '{item.criterion_code}' is retired: cite another one")
        criterion_id = cited.id
    # The reviewer's current decision there (or the record's current resolution) is
    # replaced, not deleted: undo brings it back. The unique indexes allow one current.
    connection.execute(
        _SUPERSEDE_RESOLUTION if item.resolves_conflict else _SUPERSEDE_VOTE,
        {"rid": item.record_id, "at_stage": item.stage, "who": reviewer_id},
    )
    result = connection.execute(
        _INSERT,
        {
            "record_id": item.record_id,
            "stage": item.stage,
            "decision": item.decision,
            "reviewer_id": reviewer_id,
            "criterion_id": criterion_id,
            "note": item.note,
            "resolves_conflict": item.resolves_conflict,
            "created_at": now(),
        },
    )
    return inserted_id(result)


# Built once: screening runs these on every decision (see store.reviews).
_INSERT = screening_decision.insert()
_CURRENT = screening_decision.c.superseded.is_(False)
_SUPERSEDE_VOTE = (
    screening_decision.update()
    .where(
        screening_decision.c.record_id == sa.bindparam("rid"),
        screening_decision.c.stage == sa.bindparam("at_stage"),
        screening_decision.c.reviewer_id == sa.bindparam("who"),
        screening_decision.c.resolves_conflict.is_(False),
        _CURRENT,
    )
    .values(superseded=True)
)
_SUPERSEDE_RESOLUTION = (
    screening_decision.update()
    .where(
        screening_decision.c.record_id == sa.bindparam("rid"),
        screening_decision.c.stage == sa.bindparam("at_stage"),
        screening_decision.c.resolves_conflict.is_(True),
        _CURRENT,
    )
    .values(superseded=True)
)
_DECISIONS = (
    sa.select(screening_decision, reviewer.c.key.label("who"), criterion.c.code)
    .join(reviewer, reviewer.c.id == screening_decision.c.reviewer_id)
    .outerjoin(criterion, criterion.c.id == screening_decision.c.criterion_id)
    .order_by(screening_decision.c.id)
)
_AT_STAGE = screening_decision.c.stage == sa.bindparam("stage")
_OF_RECORD = screening_decision.c.record_id == sa.bindparam("record_id")
_DECISIONS_BY = {
    (False, False): _DECISIONS,
    (True, False): _DECISIONS.where(_AT_STAGE),
    (False, True): _DECISIONS.where(_OF_RECORD),
    (True, True): _DECISIONS.where(_AT_STAGE, _OF_RECORD),
}
_TERMS = sa.select(highlight_term).order_by(highlight_term.c.id)


def list_decisions(
    connection: Connection, stage: Stage | None = None, record_id: int | None = None
) -> list[ScreeningDecision]:
    """Decisions in the order they were made, optionally for one stage or record."""
    query = _DECISIONS_BY[stage is not None, record_id is not None]
    params = {"stage": stage, "record_id": record_id}
    return [_decision(r) for r in connection.execute(query, params)]


def _decision(r: sa.Row[Any]) -> ScreeningDecision:
    return ScreeningDecision(
        record_id=r.record_id,
        stage=Stage(r.stage),
        decision=Decision(r.decision),
        reviewer_key=r.who,
        criterion_code=r.code,
        note=r.note,
        resolves_conflict=r.resolves_conflict,
        created_at=r.created_at,
        id=r.id,
    )


def latest_decision(
    connection: Connection, stage: Stage, reviewer_id: int
) -> ScreeningDecision | None:
    """A reviewer's most recent decision at ``stage`` (conflict resolutions aside): what
    undo takes back. Asked of the reviewer's index, not of every decision at the stage."""
    query = (
        _DECISIONS_BY[True, False]
        .where(
            screening_decision.c.reviewer_id == reviewer_id,
            screening_decision.c.resolves_conflict.is_(False),
            _CURRENT,
        )
        .order_by(None)
        .order_by(screening_decision.c.id.desc())
        .limit(1)
    )
    found = connection.execute(query, {"stage": stage}).first()
    return None if found is None else _decision(found)


def delete_decision(connection: Connection, decision_id: int) -> None:
    """Take a decision back; the one it had replaced (if any) is current again."""
    d = screening_decision.c
    gone = connection.execute(
        sa.select(d.record_id, d.stage, d.reviewer_id, d.resolves_conflict).where(
            d.id == decision_id
        )
    ).first()
    if gone is None:
        return
    connection.execute(screening_decision.delete().where(d.id == decision_id))
    same = [d.record_id == gone.record_id, d.stage == gone.stage]
    if gone.resolves_conflict:
        same.append(d.resolves_conflict.is_(True))
    else:
        same += [d.reviewer_id == gone.reviewer_id, d.resolves_conflict.is_(False)]
    if connection.execute(sa.select(d.id).where(*same, _CURRENT).limit(1)).first():
        return  # a current one is there already (as stores written before 0009 may hold)
    previous = sa.select(sa.func.max(d.id)).where(*same).scalar_subquery()
    connection.execute(screening_decision.update().where(d.id == previous).values(superseded=False))


def lock_record(connection: Connection, record_id: int) -> None:
    """Make the caller's transaction the only one deciding on ``record_id`` until it ends.

    A rule that spans rows (one vote per record in single screening, no change once both
    votes are in, one resolution of a conflict) is checked by reading the record's
    decisions and then writing; two server processes must not both read before either
    writes. On PostgreSQL the record's row is locked (``SELECT ... FOR NO KEY UPDATE``: the
    other transaction waits, then reads what this one wrote; the weaker lock than FOR
    UPDATE lets other transactions' foreign-key checks on the record, such as a lease
    inserted for it, go on, where FOR UPDATE made them wait and deadlock). On SQLite a
    write comes first, which takes the database's one write lock before anything is read
    (a deferred transaction that read first would fail on commit instead of waiting)."""
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK_RECORD, {"id": record_id})
    else:
        connection.execute(_TOUCH_LEASES, {"id": record_id})


_LOCK_RECORD = (
    sa.select(record.c.id).where(record.c.id == sa.bindparam("id")).with_for_update(key_share=True)
)
# A write that changes nothing (a lease's expiry set to itself) but takes SQLite's lock.
_TOUCH_LEASES = (
    screening_lease.update()
    .where(screening_lease.c.record_id == sa.bindparam("id"))
    .values(expires_at=screening_lease.c.expires_at)
)


def has_current_vote(
    connection: Connection, stage: Stage, record_id: int, reviewer_id: int
) -> bool:
    """Whether the reviewer has a current decision (not a resolution) on the record."""
    return (
        connection.execute(
            _HAS_VOTE, {"stage": stage, "record_id": record_id, "who": reviewer_id}
        ).first()
        is not None
    )


_HAS_VOTE = (
    sa.select(screening_decision.c.id)
    .where(
        screening_decision.c.stage == sa.bindparam("stage"),
        screening_decision.c.record_id == sa.bindparam("record_id"),
        screening_decision.c.reviewer_id == sa.bindparam("who"),
        screening_decision.c.resolves_conflict.is_(False),
        _CURRENT,
    )
    .limit(1)
)


# --- leases (single screening with several people at once) --------------------------------


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def lock_reviewer_leases(connection: Connection, reviewer_id: int) -> None:
    """Make the caller's transaction the only one moving this reviewer's lease until it
    ends. One reviewer holds one lease per stage; two requests of theirs at once (two tabs,
    a double click) each drop the old lease and take a new one, and without this the second
    never saw the first's new lease and was refused every record it tried. On PostgreSQL the
    reviewer's row is locked (FOR NO KEY UPDATE, which foreign-key checks pass); SQLite has
    one writer at a time already."""
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK_REVIEWER, {"id": reviewer_id})


_LOCK_REVIEWER = (
    sa.select(reviewer.c.id)
    .where(reviewer.c.id == sa.bindparam("id"))
    .with_for_update(key_share=True)
)


def leased_by_others(
    connection: Connection, stage: Stage, reviewer_id: int, at: datetime
) -> set[int]:
    """Records whose lease at ``stage`` another reviewer holds, unexpired at ``at``."""
    rows = connection.execute(
        _LEASED_BY_OTHERS, {"stage": stage, "who": reviewer_id, "now": _stamp(at)}
    )
    return {r[0] for r in rows}


def my_lease(connection: Connection, stage: Stage, reviewer_id: int, at: datetime) -> int | None:
    """The record the reviewer holds at ``stage`` (unexpired at ``at``), if any."""
    found = connection.execute(
        _MY_LEASE, {"stage": stage, "who": reviewer_id, "now": _stamp(at)}
    ).first()
    return None if found is None else int(found[0])


def take_lease(
    connection: Connection,
    record_id: int,
    stage: Stage,
    reviewer_id: int,
    at: datetime,
    hold: timedelta,
) -> bool:
    """Hold ``record_id`` at ``stage`` for the reviewer until ``at + hold`` (their lease on
    any other record at that stage ends). False when another reviewer holds it unexpired:
    the database's primary key decides, so two processes cannot both take it."""
    params = {"stage": stage, "who": reviewer_id, "id": record_id, "now": _stamp(at)}
    connection.execute(_DROP_MINE_OR_EXPIRED, params)
    try:
        with connection.begin_nested():  # PostgreSQL aborts a transaction on any error
            connection.execute(
                screening_lease.insert(),
                {
                    "record_id": record_id,
                    "stage": stage,
                    "reviewer_id": reviewer_id,
                    "expires_at": _stamp(at + hold),
                },
            )
    except sa.exc.IntegrityError:
        return False
    return True


def release_lease(connection: Connection, record_id: int, stage: Stage) -> None:
    """The record is decided (or the reviewer let it go): nobody holds it now."""
    connection.execute(
        screening_lease.delete().where(
            screening_lease.c.record_id == record_id, screening_lease.c.stage == stage
        )
    )


_L = screening_lease.c
_LEASED_BY_OTHERS = sa.select(_L.record_id).where(
    _L.stage == sa.bindparam("stage"),
    _L.reviewer_id != sa.bindparam("who"),
    _L.expires_at > sa.bindparam("now"),
)
_MY_LEASE = sa.select(_L.record_id).where(
    _L.stage == sa.bindparam("stage"),
    _L.reviewer_id == sa.bindparam("who"),
    _L.expires_at > sa.bindparam("now"),
)
_DROP_MINE_OR_EXPIRED = screening_lease.delete().where(
    _L.stage == sa.bindparam("stage"),
    sa.or_(
        _L.reviewer_id == sa.bindparam("who"),
        sa.and_(_L.record_id == sa.bindparam("id"), _L.expires_at <= sa.bindparam("now")),
    ),
)


def decided_record_ids(connection: Connection, stage: Stage, reviewer_id: int) -> set[int]:
    rows = connection.execute(
        sa.select(screening_decision.c.record_id).where(
            screening_decision.c.stage == stage, screening_decision.c.reviewer_id == reviewer_id
        )
    )
    return {r[0] for r in rows}


def add_terms(connection: Connection, terms: list[str], kind: CriterionKind) -> int:
    """Add highlight terms, ignoring ones already there; returns how many were new."""
    existing = set(list_terms(connection)[kind])
    new = [t for t in dict.fromkeys(terms) if t and t not in existing]
    for term in new:
        connection.execute(highlight_term.insert().values(term=term, kind=kind))
    return len(new)


def list_terms(connection: Connection) -> dict[CriterionKind, list[str]]:
    found: dict[CriterionKind, list[str]] = {k: [] for k in CriterionKind}
    for r in connection.execute(_TERMS):
        found[CriterionKind(r.kind)].append(r.term)
    return found


@lru_cache(maxsize=32)
def settled_query(
    stage: Stage, mode: ScreeningMode, records: sa.Select[Any] | None = None
) -> sa.Select[tuple[int, str]]:
    """``(record_id, outcome)`` for every record with a decision at ``stage`` (or only those
    whose id ``records`` selects): the rules of :func:`realist.domain.screening.settle`, in
    SQL.

    Built once per (stage, mode, records) and kept: building it costs more than running
    it, and every count of a review's outputs asks for it (``records`` should then be a
    module constant, as store.documents' is).

    - The latest conflict resolution (highest id) settles a record, whatever came before.
    - Otherwise each reviewer's latest decision counts. Single mode: the decision of the
      reviewer who first decided last (settle keeps reviewers in the order they first
      decided and takes the last one's latest decision). Dual mode: awaiting a second
      reviewer with one reviewer, the shared decision when all agree, a conflict when not.
    """
    d = screening_decision
    at_stage = d.c.stage == stage
    if records is not None:
        at_stage = sa.and_(at_stage, d.c.record_id.in_(records.scalar_subquery()))
    decision = sa.type_coerce(d.c.decision, sa.String)  # outcomes are not all decisions

    last_resolution = (
        sa.select(d.c.record_id, sa.func.max(d.c.id).label("id"))
        .where(at_stage, d.c.resolves_conflict.is_(True))
        .group_by(d.c.record_id)
        .subquery("last_resolution")
    )
    resolved = (
        sa.select(last_resolution.c.record_id, decision.label("decision"))
        .join(d, d.c.id == last_resolution.c.id)
        .subquery("resolved")
    )
    per_reviewer = (
        sa.select(
            d.c.record_id,
            sa.func.min(d.c.id).label("first_id"),
            sa.func.max(d.c.id).label("last_id"),
        )
        .where(at_stage)
        .group_by(d.c.record_id, d.c.reviewer_id)
        .subquery("per_reviewer")
    )
    latest = (
        sa.select(per_reviewer.c.record_id, per_reviewer.c.first_id, decision.label("decision"))
        .join(d, d.c.id == per_reviewer.c.last_id)
        .subquery("latest")
    )
    if mode is ScreeningMode.SINGLE:
        ranked = sa.select(
            latest.c.record_id,
            latest.c.decision,
            sa.func.row_number()
            .over(partition_by=latest.c.record_id, order_by=latest.c.first_id.desc())
            .label("nth"),
        ).subquery("ranked")
        unresolved = (
            sa.select(ranked.c.record_id, ranked.c.decision.label("outcome"))
            .where(ranked.c.nth == 1)
            .subquery("unresolved")
        )
    else:
        agreed = sa.func.min(latest.c.decision) == sa.func.max(latest.c.decision)
        outcome = sa.case(
            (sa.func.count() < 2, sa.literal(Outcome.AWAITING_SECOND.value, sa.String)),
            (agreed, sa.func.min(latest.c.decision)),
            else_=sa.literal(Outcome.CONFLICT.value, sa.String),
        )
        unresolved = (
            sa.select(latest.c.record_id, outcome.label("outcome"))
            .group_by(latest.c.record_id)
            .subquery("unresolved")
        )
    return sa.select(
        unresolved.c.record_id,
        sa.func.coalesce(resolved.c.decision, unresolved.c.outcome).label("outcome"),
    ).outerjoin(resolved, resolved.c.record_id == unresolved.c.record_id)
