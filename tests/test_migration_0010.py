"""Migration 0010 makes codings and excerpt labels unique in the database. A review made
before it may hold exact copies of a coding (the same evidence counted twice) and repeated
labels: the migration merges the copies into the oldest and suffixes a repeated label,
with an event for each, so nothing goes without a word. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from realist.domain.theory import MechanismKind, Role
from realist.services import coding, documents, theories
from realist.services.reviews import init_review
from realist.store.connect import _alembic_config
from realist.store.events import list_events
from realist.store.schema_analysis import coding as coding_table
from realist.store.schema_analysis import excerpt as excerpt_table

TEXT = "Mothers said peer support helped them feel heard. Some felt judged.\n"


def test_copies_made_before_the_constraint_are_merged_with_an_event(
    db_target: str, tmp_path: Path
) -> None:
    store = init_review(db_target, "Before 0010", "ann")
    theories.add_topic(store, "take_up", "Take-up", "ann")
    coding.create_configuration(
        store, "1", "take_up", "ann", contexts=["a mother"],
        mechanisms=[("she feels heard", MechanismKind.REASONING)],
    )  # fmt: skip
    path = tmp_path / "study.txt"
    path.write_text(TEXT, encoding="utf-8")
    documents.attach_document(store, path, key="study")
    first = coding.create_excerpt(store, "study", 14, 38, "ann")
    second = coding.create_excerpt(store, "study", 50, 66, "ann")
    assert first.id is not None and second.id is not None
    whole = coding.code_excerpt(store, first.id, "1", "ann")
    part = coding.code_excerpt(store, first.id, "1", "ann", role=Role.MECHANISM)
    with store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0010-1")  # as a review before 0010
    with store.engine.begin() as connection:
        rows = connection.execute(sa.select(coding_table).order_by(coding_table.c.id)).all()
        for row in rows:  # an exact copy of each, as two processes could make
            copy = {k: v for k, v in row._mapping.items() if k != "id"}
            connection.execute(coding_table.insert().values(**copy))
        connection.execute(excerpt_table.update().values(label="E1"))  # both labelled E1
    with store.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    with store.reading() as connection:
        kept = connection.execute(sa.select(coding_table.c.id).order_by("id")).scalars().all()
        labels = {r.id: r.label for r in connection.execute(sa.select(excerpt_table))}
        events = [e for e in list_events(connection) if e.actor == "realist"]
    assert kept == [whole.id, part.id]
    assert labels == {first.id: "E1", second.id: "E1-2"}
    merged = sorted((e.subject, e.detail["copy"]) for e in events if e.action == "coding.merged")
    assert [s for s, _ in merged] == sorted([f"coding:{whole.id}", f"coding:{part.id}"])
    relabelled = [e for e in events if e.action == "excerpt.labelled"]
    assert [(e.subject, e.detail) for e in relabelled] == [
        (f"excerpt:{second.id}", {"before": "E1", "after": "E1-2"})
    ]
    store.close()
