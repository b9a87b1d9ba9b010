"""What a screening queue learns from and what it has screened: the current decisions at a
stage in the order made, the records standing, and the labels a queue may see (a vote still
blind to a reviewer is never among them). Read by the ranking (services.prioritising, through
services.ranking_inputs) and by the stopping rule's progress (services.screening_progress),
so that both read one queue the same way. Light: no model is loaded here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.screening import Stage
from realist.store.batches import VISIBLE
from realist.store.schema import record as record_table
from realist.store.schema import screening_decision

IntArray = npt.NDArray[np.int64]

_STANDING_IDS = (
    sa.select(record_table.c.id)
    .where(record_table.c.duplicate_of.is_(None), VISIBLE)
    .order_by(record_table.c.id)
)

# Read as plain values (a decision's text, a flag's 0 or 1): turning thousands of them
# into enumerations took most of a refit's reading.
_DECISIONS = (
    sa.select(
        screening_decision.c.id,
        screening_decision.c.record_id,
        screening_decision.c.reviewer_id,
        sa.type_coerce(screening_decision.c.decision, sa.String).label("decision"),
        sa.type_coerce(screening_decision.c.resolves_conflict, sa.Integer).label("resolves"),
    )
    .where(
        screening_decision.c.stage == sa.bindparam("stage"),
        screening_decision.c.superseded.is_(False),
    )
    .order_by(screening_decision.c.id)
)


def decisions(connection: Connection, stage: Stage) -> list[Any]:
    """The current decisions at ``stage`` in the order made, as :func:`visible` reads them."""
    return list(connection.execute(_DECISIONS, {"stage": stage}).all())


def standing_ids(connection: Connection) -> IntArray:
    """The ids of the records standing (not merged away, not in an unfinished import)."""
    return np.asarray(connection.execute(_STANDING_IDS).scalars().all(), dtype=np.int64)


_LABELS = {
    Stage.TITLE_ABSTRACT: {"include": 1, "maybe": 1, "exclude": 0},
    Stage.FULL_TEXT: {"include": 1, "exclude": 0},
}


@dataclass
class Visible:
    decided: set[int] = field(default_factory=set)  # in this queue's sense: not waiting
    labels: dict[int, int] = field(default_factory=dict)  # record id: 1 include, 0 exclude
    through: int = 0  # the latest decision a label came from


def visible(rows: Sequence[Any], stage: Stage, whose: int | None) -> Visible:
    """What a queue learns from, given the current decisions at ``stage`` in the order
    made. Single screening (``whose`` None): each record's latest resolution, else its
    latest vote. Dual screening: a resolution, else the reviewer's own vote, else the
    agreed vote of two others (both votes in: revealed to everyone); never a vote that is
    still blind to the reviewer. One pass: a refit reads every decision."""
    labels = _LABELS[stage]
    seen = Visible()
    resolved: dict[int, tuple[int, str]] = {}
    voted: dict[int, tuple[int, str]] = {}  # single: the latest vote; dual: the reviewer's
    others: dict[int, list[Any]] = {}  # dual: [voters, the first's decision, agreed, last id]
    decided = seen.decided
    for row_id, record_id, reviewer_id, decision, resolves in rows:  # (as _DECISIONS reads)
        if resolves:
            resolved[record_id] = (row_id, decision)
            if whose is None or reviewer_id == whose:
                decided.add(record_id)
        elif whose is None or reviewer_id == whose:
            decided.add(record_id)
            voted[record_id] = (row_id, decision)
        else:
            found = others.get(record_id)
            if found is None:
                others[record_id] = [1, decision, True, row_id]
            else:  # current votes: one per reviewer
                found[0] += 1
                found[2] = found[2] and decision == found[1]
                found[3] = max(found[3], row_id)
    for record_id in resolved.keys() | voted.keys() | others.keys():
        source = resolved.get(record_id) or voted.get(record_id)
        if source is None:
            count, decision, agreed, last = others[record_id]
            if count < 2 or not agreed:
                continue  # blind to this reviewer (or a conflict): as if nobody had voted
            source = (last, decision)
        label = labels.get(source[1])
        if label is not None:
            seen.labels[record_id] = label
            seen.through = max(seen.through, source[0])
    return seen
