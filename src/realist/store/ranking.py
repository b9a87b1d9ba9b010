"""Repository for prioritised screening: the queue order per stage, and the record of every
ranking made (so that a ranking can be reproduced later).

Neither table is read on a decision's path: the order is read when a screening card is
shown, a ranking is recorded by the thread that made it (services.prioritising).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.screening import Stage
from realist.domain.screening_order import DEFAULT_ORDER, ScreeningOrder
from realist.store.events import now
from realist.store.schema import enum, fk, insert_with_conflicts, inserted_id, metadata

screening_order = sa.Table(
    "screening_order",
    metadata,
    sa.Column("stage", enum(Stage, "stage"), primary_key=True),
    sa.Column("queue_order", enum(ScreeningOrder, "screening_order"), nullable=False),
    sa.Column("seed", sa.Integer),  # random order: its seed (anything else: NULL)
)

ranking_fit = sa.Table(
    "ranking_fit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("stage", enum(Stage, "stage"), nullable=False),
    # Whose queue: NULL is everyone's (single screening ranks from every decision); in dual
    # screening each reviewer's queue is ranked from the decisions they can see.
    fk("reviewer_id", "reviewer.id", nullable=True),
    sa.Column("queue_order", enum(ScreeningOrder, "screening_order"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # model, cold_start, random
    # The latest decision the ranking learnt from, and the event log as it was read: the
    # decisions as of that event are the training set.
    sa.Column("through_decision", sa.Integer),
    sa.Column("through_event", sa.Integer, nullable=False),
    sa.Column("records", sa.Integer, nullable=False),  # records with features
    sa.Column("ranked", sa.Integer, nullable=False),  # records put in order
    sa.Column("features", sa.String(64), nullable=False, default=""),
    sa.Column("detail", sa.JSON, nullable=False),  # the model's settings, seed and training
    sa.Column("seconds", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class OrderSetting:
    order: ScreeningOrder
    seed: int | None = None


_ORDERS = sa.select(screening_order)


def get_orders(connection: Connection) -> dict[Stage, OrderSetting]:
    """Each stage's queue order: as set, or the stage's default."""
    found = {
        Stage(r.stage): OrderSetting(ScreeningOrder(r.queue_order), r.seed)
        for r in connection.execute(_ORDERS)
    }
    return {stage: found.get(stage, OrderSetting(DEFAULT_ORDER[stage])) for stage in Stage}


def set_order(connection: Connection, stage: Stage, setting: OrderSetting) -> None:
    """Set one stage's queue order (one row per stage, whatever races)."""
    values = {"stage": stage, "queue_order": setting.order, "seed": setting.seed}
    statement = insert_with_conflicts(connection, screening_order).values(**values)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["stage"],
            set_={"queue_order": setting.order, "seed": setting.seed},
        )
    )


def insert_fit(connection: Connection, values: Mapping[str, Any]) -> int:
    """Record one ranking (see ``ranking_fit``); its id."""
    return inserted_id(connection.execute(ranking_fit.insert().values(at=now(), **values)))


def list_fits(
    connection: Connection, stage: Stage | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Recorded rankings, newest first."""
    query = sa.select(ranking_fit).order_by(ranking_fit.c.id.desc())
    if stage is not None:
        query = query.where(ranking_fit.c.stage == stage)
    if limit is not None:
        query = query.limit(limit)
    return [dict(r._mapping) for r in connection.execute(query)]
