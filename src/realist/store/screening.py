"""Repository for screening decisions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.screening import CriterionKind, Decision, ScreeningDecision, Stage
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
        criterion_id = connection.execute(
            sa.select(criterion.c.id).where(criterion.c.code == item.criterion_code)
        ).scalar()
        if criterion_id is None:
            raise NotFound(f"no eligibility criterion '{item.criterion_code}'")
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
