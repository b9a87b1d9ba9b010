"""Repository for screening decisions."""

from __future__ import annotations

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
    reviewer,
    screening_decision,
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
        )
        .order_by(None)
        .order_by(screening_decision.c.id.desc())
        .limit(1)
    )
    found = connection.execute(query, {"stage": stage}).first()
    return None if found is None else _decision(found)


def delete_decision(connection: Connection, decision_id: int) -> None:
    connection.execute(screening_decision.delete().where(screening_decision.c.id == decision_id))


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
