"""An import batch's life: written in short transactions, shown whole or not at all.

A large import used to be one transaction, and on SQLite it held the only write lock for
as long as it took (30 s for a big file), so every screening decision on the same review
waited, or failed. Now the importer writes in chunks, each its own short transaction, into
a batch whose ``state`` is ``importing``; every reader of records leaves such a batch out
(:data:`VISIBLE`), so counts, queues, deduplication, exports and checks never see part of
a file. The last short transaction flips the state to ``complete`` (:func:`complete`): the
whole file appears at once. An importer that is killed leaves an ``importing`` batch whose
``owner`` process is gone (:mod:`realist.store.processes`); the next process to open the
review removes it (:func:`remove_interrupted`), in chunks too.

Who may change an unfinished batch is decided by compare-and-set on its row (state, owner
and heartbeat), which PostgreSQL serialises with a row lock and SQLite with its one writer:
an importer whose batch was taken over stops at its next chunk instead of completing it,
and two processes never remove the same batch at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.errors import StoreError
from realist.store.events import append_event, now
from realist.store.processes import is_gone, this_process
from realist.store.schema import BatchState, import_batch, record, reviewer, source

if TYPE_CHECKING:
    from realist.store.connect import Store

REMOVE_CHUNK = 2_000  # records deleted per transaction when removing an unfinished batch

UNFINISHED = sa.select(import_batch.c.id).where(import_batch.c.state != BatchState.COMPLETE)
# Records a reader may see: entered by hand, or in a complete batch.
VISIBLE = sa.or_(record.c.batch_id.is_(None), record.c.batch_id.not_in(UNFINISHED))
COMPLETE = import_batch.c.state == BatchState.COMPLETE
# Records standing in a review (not merged away, not in an unfinished import), counted as
# "not merged away" minus "in an unfinished import": each part is read from one index,
# where counting with the VISIBLE test read every whole record (on SQLite 210 ms instead of
# 5 for a 100,000-record review, on every decision). A record of an unfinished import is
# never merged: deduplication only sees visible ones.
STANDING_COUNT = sa.select(
    sa.select(sa.func.count())
    .select_from(record)
    .where(record.c.duplicate_of.is_(None))
    .scalar_subquery()
    - sa.select(sa.func.count())
    .select_from(record)
    .where(record.c.batch_id.in_(UNFINISHED))
    .scalar_subquery()
)
# Sources a reader may see: all but one an unfinished import made, until a batch in it
# is complete (it then stays, whatever becomes of the import that made it).
_MADE_UNFINISHED = sa.select(import_batch.c.source_id).where(
    import_batch.c.state != BatchState.COMPLETE, import_batch.c.made_source
)
_WITH_COMPLETE = sa.select(import_batch.c.source_id).where(COMPLETE)
SOURCE_VISIBLE = sa.or_(source.c.id.not_in(_MADE_UNFINISHED), source.c.id.in_(_WITH_COMPLETE))


class ImportStopped(StoreError):
    """Another process found this import's batch abandoned and removed it."""


def begin(connection: Connection, values: dict[str, object]) -> tuple[int, str]:
    """Add an ``importing`` batch owned by this process; its id and the owner value."""
    owner = this_process()
    result = connection.execute(
        import_batch.insert().values(
            **values, state=BatchState.IMPORTING, owner=owner, heartbeat_at=now()
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0]), owner


def _owned(
    batch_id: int, owner: str, state: BatchState = BatchState.IMPORTING
) -> sa.ColumnElement[bool]:
    return sa.and_(
        import_batch.c.id == batch_id, import_batch.c.state == state, import_batch.c.owner == owner
    )


def keep_alive(
    connection: Connection, batch_id: int, owner: str, records: int, problems: int
) -> None:
    """Note progress, in the transaction of a chunk just written; ImportStopped (the chunk
    rolls back) when the batch is no longer this importer's."""
    done = connection.execute(
        import_batch.update()
        .where(_owned(batch_id, owner))
        .values(heartbeat_at=now(), record_count=records, problem_count=problems)
    )
    if done.rowcount != 1:
        raise ImportStopped(
            f"import batch {batch_id} was stopped: another process found it unfinished "
            "and removed it; nothing of it was kept"
        )


def serialise(connection: Connection) -> None:
    """Make transactions that start or complete imports run one at a time: rules such as
    "this file was not imported already" and "one source per name" span rows. SQLite's
    one writer does this already; on PostgreSQL, a transaction-scoped advisory lock."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7226135011)"))


def refresh_statistics(store: Store) -> None:
    """Have PostgreSQL read the sizes and spread of the record tables again (ANALYZE), after
    a bulk import; SQLite plans from its indexes alone (nothing to do)."""
    if store.dialect != "postgresql":
        return
    with store.transaction() as connection:
        connection.execute(sa.text("ANALYZE record"))
        connection.execute(sa.text("ANALYZE import_batch"))


def complete(
    connection: Connection, batch_id: int, owner: str, records: int, problems: int
) -> None:
    """Show the batch: from now on every reader sees all its records at once."""
    done = connection.execute(
        import_batch.update()
        .where(_owned(batch_id, owner))
        .values(
            state=BatchState.COMPLETE,
            owner=None,
            heartbeat_at=None,
            record_count=records,
            problem_count=problems,
        )
    )
    if done.rowcount != 1:
        raise ImportStopped(
            f"import batch {batch_id} was stopped before it was complete: another process "
            "removed it; nothing of it was kept"
        )


def abandon(store: Store, batch_id: int, owner: str) -> bool:
    """Remove this importer's own unfinished batch (its import failed). False when another
    process has it (then that process removes it)."""
    with store.transaction() as connection:
        taken = connection.execute(
            import_batch.update()
            .where(_owned(batch_id, owner))
            .values(state=BatchState.ABANDONED, heartbeat_at=now())
        ).rowcount
    if taken != 1:
        return False
    _remove(store, batch_id, owner)
    return True


def unfinished(connection: Connection) -> list[sa.Row[tuple[object, ...]]]:
    """Batches not complete: being imported, or being removed."""
    return list(
        connection.execute(
            sa.select(
                import_batch.c.id,
                import_batch.c.state,
                import_batch.c.owner,
                import_batch.c.heartbeat_at,
                import_batch.c.filename,
                import_batch.c.record_count,
            )
            .where(import_batch.c.state != BatchState.COMPLETE)
            .order_by(import_batch.c.id)
        )
    )


def remove_interrupted(store: Store) -> list[int]:
    """Remove every unfinished batch whose importer (or remover) is gone; their ids.
    Each is taken over first (compare-and-set on state, owner and heartbeat), so a live
    importer is never raced and two processes never remove the same batch."""
    with store.reading() as connection:
        found = [row for row in unfinished(connection) if is_gone(row.owner, row.heartbeat_at)]
    removed = []
    me = this_process()
    for row in found:
        with store.transaction() as connection:
            taken = connection.execute(
                import_batch.update()
                .where(
                    import_batch.c.id == row.id,
                    import_batch.c.state == row.state,
                    import_batch.c.owner == row.owner,
                    import_batch.c.heartbeat_at == row.heartbeat_at,
                )
                .values(state=BatchState.ABANDONED, owner=me, heartbeat_at=now())
            ).rowcount
        if taken == 1:
            _remove(store, row.id, me, interrupted=True)
            removed.append(row.id)
    return removed


def _remove(store: Store, batch_id: int, owner: str, *, interrupted: bool = False) -> None:
    """Delete an abandoned batch owned by ``owner``: its records in short transactions,
    then the batch with its problems, and its source if the import made it."""
    mine = _owned(batch_id, owner, BatchState.ABANDONED)
    deleted = 0
    while True:
        with store.transaction() as connection:
            if (
                connection.execute(
                    import_batch.update().where(mine).values(heartbeat_at=now())
                ).rowcount
                != 1
            ):
                return  # taken over by another process (this one seemed gone): it finishes
            chunk = sa.select(record.c.id).where(record.c.batch_id == batch_id).limit(REMOVE_CHUNK)
            gone = connection.execute(
                record.delete().where(record.c.id.in_(chunk.scalar_subquery()))
            ).rowcount
            deleted += gone
            if gone:
                continue
            row = connection.execute(
                sa.select(
                    import_batch.c.filename,
                    import_batch.c.source_id,
                    import_batch.c.made_source,
                    reviewer.c.key,
                )
                .outerjoin(reviewer, reviewer.c.id == import_batch.c.reviewer_id)
                .where(mine)
            ).one()
            connection.execute(import_batch.delete().where(mine))
            if row.made_source:
                _drop_empty_source(connection, int(row.source_id))
            if interrupted:
                append_event(
                    connection,
                    "records.import_interrupted",
                    row.key or "",
                    f"batch:{batch_id}",
                    {"file": row.filename, "records_removed": deleted},
                )
            return


def _drop_empty_source(connection: Connection, source_id: int) -> None:
    """The source the import made, when no batch is left in it and nobody wrote anything
    about it meanwhile (the rule services.batches applies when a batch is deleted)."""
    left = connection.execute(
        sa.select(sa.func.count()).where(import_batch.c.source_id == source_id)
    ).scalar()
    if left:
        return
    connection.execute(
        source.delete().where(
            source.c.id == source_id,
            source.c.note == "",
            source.c.search_string == "",
            source.c.limits == "",
        )
    )
