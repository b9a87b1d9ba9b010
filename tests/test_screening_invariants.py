"""Screening invariants that must hold with several people (and server processes) at once:
single-screening leases, and one current decision per reviewer held by the database."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from realist.domain.records import Record
from realist.domain.review import Reviewer
from realist.domain.screening import Decision, ScreeningMode, Stage
from realist.errors import InvalidInput
from realist.services import screening
from realist.services.reviews import init_review
from realist.store import Store, open_store
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store.schema import screening_decision, screening_lease

TA = Stage.TITLE_ABSTRACT
INC, EXC = Decision.INCLUDE, Decision.EXCLUDE


def _review(db_target: str, records: int) -> Store:
    store = init_review(db_target, "t", "ann")
    with store.transaction() as connection:
        reviews_repo.insert_reviewer(connection, Reviewer("bob", "Bob"))
        for n in range(records):
            records_repo.insert_record(connection, Record(title=f"Study {n}"))
    return store


def test_two_reviewers_are_handed_different_records(db_target: str) -> None:
    """Finding: in single screening two people were served the same records (196 of 400
    decided by both). The record handed to one is kept from the other's queue."""
    store = _review(db_target, 3)
    first = screening.next_record(store, TA, "ann").record
    second = screening.next_record(store, TA, "bob").record
    assert first is not None and second is not None and first.id != second.id
    # A reload gives each the record they hold, not the next one.
    assert screening.next_record(store, TA, "ann").record.id == first.id  # type: ignore[union-attr]
    # Deciding ends the lease; skipping moves it on, and the skipped record is free again.
    screening.screen(store, first.id, TA, INC, "ann")  # type: ignore[arg-type]
    third = screening.next_record(store, TA, "ann").record
    assert third is not None and third.id not in (first.id, second.id)
    skipped = screening.next_record(store, TA, "bob", after=second.id).record
    assert skipped is not None and skipped.id not in (first.id, third.id)
    store.close()


def test_a_lease_nobody_renews_expires(db_target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """None skipped for good: a record handed to someone who walked away returns."""
    store = _review(db_target, 1)
    held = screening.next_record(store, TA, "ann").record
    assert held is not None
    assert screening.next_record(store, TA, "bob").record is None  # ann holds the only one
    monkeypatch.setenv("REALIST_SCREENING_LEASE_MINUTES", "0")
    screening.next_record(store, TA, "ann", after=held.id)  # a zero-length lease: expired
    again = screening.next_record(store, TA, "bob").record
    assert again is not None and again.id == held.id
    store.close()


def test_dual_screening_hands_out_without_leases(db_target: str) -> None:
    """Dual screening wants both to decide every record: nobody's queue is steered."""
    store = _review(db_target, 2)
    screening.set_screening_mode(store, ScreeningMode.DUAL, "ann")
    a = screening.next_record(store, TA, "ann").record
    b = screening.next_record(store, TA, "bob").record
    assert a is not None and b is not None and a.id == b.id
    with store.reading() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(screening_lease)).scalar()
            == 0
        )
    store.close()


def test_two_reviewers_screening_at_once_decide_every_record_once(db_target: str) -> None:
    """Two people (each with their own connection pool, as two server processes would
    have) fetch the next record and decide it, at the same time, until both queues are
    empty: every record is decided exactly once, none twice, none skipped."""
    store = _review(db_target, 24)
    store.close()
    made: dict[str, list[int]] = {"ann": [], "bob": []}
    clashes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(who: str, decision: Decision) -> None:
        mine = open_store(db_target)
        try:
            start.wait()
            after: int | None = None
            while True:
                found = screening.next_record(mine, TA, who, after).record
                if found is None:
                    return
                try:
                    screening.screen(mine, found.id, TA, decision, who)  # type: ignore[arg-type]
                    made[who].append(found.id)  # type: ignore[arg-type]
                except InvalidInput as refused:  # a clash is refused, never overwritten
                    clashes.append(str(refused))
                after = found.id
        except BaseException as failed:
            errors.append(failed)
        finally:
            mine.close()

    threads = [
        threading.Thread(target=work, args=("ann", INC)),
        threading.Thread(target=work, args=("bob", EXC)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    store = open_store(db_target)
    with store.reading() as connection:
        rows = list(connection.execute(sa.select(screening_decision.c.record_id)))
    per_record = Counter(r.record_id for r in rows)
    assert len(per_record) == 24 and set(per_record.values()) == {1}, per_record
    assert sorted(made["ann"] + made["bob"]) == sorted(per_record)
    assert clashes == []  # leases kept them apart: nobody was even refused
    store.close()


def test_the_database_holds_one_current_vote_per_reviewer(db_target: str) -> None:
    """Whatever process writes, a second current vote of one reviewer on one record at
    one stage (or a second current resolution) is refused by the database itself."""
    store = _review(db_target, 1)
    screening.screen(store, 1, TA, INC, "ann")
    screening.screen(store, 1, TA, EXC, "ann", note="changed my mind")  # supersedes
    with store.reading() as connection:
        current = connection.execute(
            sa.select(screening_decision.c.id).where(screening_decision.c.superseded.is_(False))
        ).all()
        ann = connection.execute(
            sa.select(screening_decision.c.reviewer_id).where(
                screening_decision.c.id == current[0].id
            )
        ).scalar_one()
    assert len(current) == 1
    row = {"record_id": 1, "stage": TA.value, "decision": "include", "reviewer_id": ann,
           "note": "", "resolves_conflict": False, "superseded": False,
           "created_at": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as connection:
        connection.execute(screening_decision.insert(), row)
    resolution = {**row, "resolves_conflict": True}
    with store.transaction() as connection:
        connection.execute(screening_decision.insert(), resolution)
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as connection:
        connection.execute(screening_decision.insert(), resolution)
    # Undo brings the earlier vote back as the current one.
    undone = screening.undo_last(store, TA, "ann")
    assert undone is not None and undone.decision is EXC
    with store.reading() as connection:
        back = (
            connection.execute(
                sa.select(screening_decision.c.decision).where(
                    screening_decision.c.superseded.is_(False),
                    screening_decision.c.resolves_conflict.is_(False),
                )
            )
            .scalars()
            .all()
        )
    assert back == ["include"]
    store.close()


def test_migration_0009_keeps_each_reviewers_latest_vote_current(db_target: str) -> None:
    """A store written before 0009 holds every decision made again as another row; the
    upgrade marks all but each reviewer's latest superseded (as settling already read
    them), so the unique indexes can be built and undo still brings the earlier back."""
    from alembic import command

    from realist.store.connect import _alembic_config

    store = _review(db_target, 2)
    with store.reading() as connection:
        ids = dict(connection.execute(sa.text("SELECT key, id FROM reviewer")).all())
    with store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0008")
    old = sa.table(
        "screening_decision",
        *(sa.column(c) for c in ("record_id", "stage", "decision", "reviewer_id", "note")),
        sa.column("resolves_conflict", sa.Boolean),
        sa.column("created_at"),
    )
    rows = [  # ann twice on record 1, bob once; two resolutions of record 1; ann on record 2
        (1, "include", "ann", False), (1, "exclude", "bob", False), (1, "maybe", "ann", False),
        (1, "include", "ann", True), (1, "exclude", "bob", True), (2, "maybe", "ann", False),
    ]  # fmt: skip
    with store.engine.begin() as connection:
        for rid, decision, who, resolves in rows:
            connection.execute(
                old.insert(),
                {"record_id": rid, "stage": TA.value, "decision": decision,
                 "reviewer_id": ids[who], "note": "", "resolves_conflict": resolves,
                 "created_at": "2026-01-01T00:00:00+00:00"},
            )  # fmt: skip
    with store.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    with store.reading() as connection:
        current = connection.execute(
            sa.select(screening_decision.c.decision)
            .where(screening_decision.c.superseded.is_(False))
            .order_by(screening_decision.c.id)
        ).scalars()
        assert list(current) == ["exclude", "maybe", "exclude", "maybe"]
    store.close()
