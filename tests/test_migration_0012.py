"""Migration 0012 adds the queue order per stage and the record of rankings. A review made
before it keeps every decision; its title/abstract queue becomes prioritised (the stage's
default) and its full-text queue stays in record order. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from realist.domain.records import Record
from realist.domain.screening import Decision, Stage
from realist.domain.screening_order import ScreeningOrder
from realist.services import prioritising, screening
from realist.services.reviews import init_review
from realist.store import open_store
from realist.store import records as records_repo
from realist.store.connect import _alembic_config
from realist.store.ranking import OrderSetting
from realist.store.schema import screening_decision


def test_a_review_made_before_0012_gets_the_default_orders(db_target: str) -> None:
    store = init_review(db_target, "Before 0012", "ann")
    with store.transaction() as connection:
        for n in range(3):
            records_repo.insert_record(connection, Record(title=f"Study {n}"))
    screening.screen(store, 2, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "ann")
    prioritising.set_order(store, Stage.TITLE_ABSTRACT, ScreeningOrder.RANDOM, "ann", seed=4)
    with store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0011")
    with store.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert "screening_order" not in tables and "ranking_fit" not in tables
    store.close()
    store = open_store(db_target)  # upgrades it
    assert prioritising.orders(store) == {
        Stage.TITLE_ABSTRACT: OrderSetting(ScreeningOrder.PRIORITISED),
        Stage.FULL_TEXT: OrderSetting(ScreeningOrder.FILE),
    }
    with store.reading() as connection:
        kept = connection.execute(sa.select(screening_decision.c.record_id)).scalars().all()
    assert kept == [2]
    nxt = screening.next_record(store, Stage.TITLE_ABSTRACT, "ann")
    assert nxt.record is not None and nxt.record.id == 1 and nxt.why is not None
    assert prioritising.fits(store)  # the ranking it was handed out by is recorded
    store.close()
