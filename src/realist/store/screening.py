"""Repository for screening decisions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.screening import ScreeningDecision
from realist.errors import InvalidInput, NotFound
from realist.store.events import now
from realist.store.schema import criterion, inserted_id, screening_decision


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
        screening_decision.insert().values(
            record_id=item.record_id,
            stage=item.stage,
            decision=item.decision,
            reviewer_id=reviewer_id,
            criterion_id=criterion_id,
            note=item.note,
            created_at=now(),
        )
    )
    return inserted_id(result)
